// Command speclint validates OpenAPI specs, and JSON documents against one of
// a spec's schemas.
//
//	go run ./internal/cmd/speclint api/identity-v3.yaml [more specs...]
//	go run ./internal/cmd/speclint -spec api/identity-v3.yaml -schema ProjectEnvelope [-request] sample.json...
//	go run ./internal/cmd/speclint -spec api/identity-v3.yaml -ops     (list the operations)
package main

import (
	"context"
	"flag"
	"fmt"
	"os"

	"github.com/gokeystone/keystone/internal/speclint"
)

func main() {
	spec := flag.String("spec", "", "spec to check JSON documents against")
	schema := flag.String("schema", "", "component schema name for -spec")
	request := flag.Bool("request", false, "validate the documents as request bodies (default: responses)")
	ops := flag.Bool("ops", false, "with -spec: list the operations and their count")
	flag.Parse()
	if err := run(*spec, *schema, *request, *ops, flag.Args()); err != nil {
		fmt.Fprintln(os.Stderr, "speclint:", err)
		os.Exit(1)
	}
}

func run(spec, schema string, request, ops bool, args []string) error {
	if spec == "" {
		if len(args) == 0 {
			return fmt.Errorf("usage: speclint SPEC... | -spec SPEC -schema NAME FILE... | -spec SPEC -ops")
		}
		failed := false
		for _, path := range args {
			doc, err := speclint.Load(path)
			if err == nil {
				err = speclint.Validate(context.Background(), doc)
			}
			if err != nil {
				failed = true
				fmt.Fprintf(os.Stderr, "%s: %v\n", path, err)
				continue
			}
			fmt.Printf("%s: ok (%d operations)\n", path, len(speclint.Operations(doc)))
		}
		if failed {
			return fmt.Errorf("invalid spec")
		}
		return nil
	}
	doc, err := speclint.Load(spec)
	if err != nil {
		return err
	}
	if ops {
		list := speclint.Operations(doc)
		for _, op := range list {
			fmt.Printf("%-7s %-60s %s\n", op.Method, op.Path, op.ID)
		}
		fmt.Printf("%d operations\n", len(list))
		return nil
	}
	if schema == "" || len(args) == 0 {
		return fmt.Errorf("-spec needs -schema and files, or -ops")
	}
	failed := false
	for _, path := range args {
		data, err := os.ReadFile(path)
		if err == nil {
			err = speclint.CheckJSON(doc, schema, data, !request)
		}
		if err != nil {
			failed = true
			fmt.Fprintf(os.Stderr, "%s: %v\n", path, err)
			continue
		}
		fmt.Printf("%s: ok\n", path)
	}
	if failed {
		return fmt.Errorf("documents do not match %s", schema)
	}
	return nil
}
