package cli

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"sort"
	"strconv"
	"strings"

	"github.com/jedib0t/go-pretty/v6/table"
	"github.com/jedib0t/go-pretty/v6/text"
	"github.com/spf13/cobra"
	"gopkg.in/yaml.v3"
)

// outputOptions are cliff's formatter options (-f, -c, --sort-column…).
type outputOptions struct {
	format        string
	columns       []string
	sortColumns   []string
	sortAscending bool
	sortDesc      bool
	noindent      bool
	prefix        string
	printEmpty    bool
	list          bool
}

// addOutputFlags adds cliff's output options to a command that prints a list
// (list true: table, csv, json, value, yaml) or one resource (list false:
// table, json, shell, value, yaml).
func addOutputFlags(cmd *cobra.Command, list bool) *outputOptions {
	o := &outputOptions{list: list}
	f := cmd.Flags()
	formats := "table, json, shell, value, yaml"
	if list {
		formats = "csv, json, table, value, yaml"
	}
	f.StringVarP(&o.format, "format", "f", "table", "the output format: "+formats)
	f.StringArrayVarP(&o.columns, "column", "c", nil, "specify the column(s) to include, can be repeated")
	f.BoolVar(&o.noindent, "noindent", false, "whether to disable indenting the JSON")
	if list {
		f.StringArrayVar(&o.sortColumns, "sort-column", nil, "specify the column(s) to sort the data (columns specified first have a priority), can be repeated")
		f.BoolVar(&o.sortAscending, "sort-ascending", false, "sort the column(s) in ascending order")
		f.BoolVar(&o.sortDesc, "sort-descending", false, "sort the column(s) in descending order")
		f.BoolVar(&o.printEmpty, "print-empty", false, "print empty table if there is no data to show")
	} else {
		f.StringVar(&o.prefix, "prefix", "", "add a prefix to all variable names (shell format)")
	}
	return o
}

// validate checks the format before any request is sent.
func (o *outputOptions) validate() error {
	valid := []string{"table", "json", "shell", "value", "yaml"}
	if o.list {
		valid = []string{"csv", "json", "table", "value", "yaml"}
	}
	for _, v := range valid {
		if o.format == v {
			return nil
		}
	}
	return usageErrorf("argument -f/--format: invalid choice: %q (choose from %s)", o.format, strings.Join(valid, ", "))
}

// selectColumns returns the indexes of the columns to print, in the order of
// names (as cliff keeps them), or an error when -c names none of them.
func (o *outputOptions) selectColumns(names []string) ([]int, error) {
	var idx []int
	for i, n := range names {
		if len(o.columns) == 0 || contains(o.columns, n) {
			idx = append(idx, i)
		}
	}
	if len(idx) == 0 {
		return nil, fmt.Errorf("no recognized column names in %s; recognized columns are %s", pyRepr(o.columns), pyRepr(names))
	}
	return idx, nil
}

func contains(list []string, s string) bool {
	for _, v := range list {
		if v == s {
			return true
		}
	}
	return false
}

// printList prints rows under columns in the chosen format.
func (o *outputOptions) printList(w io.Writer, columns []string, rows [][]any) error {
	idx, err := o.selectColumns(columns)
	if err != nil {
		return err
	}
	if len(o.sortColumns) > 0 {
		var keys []int
		for _, c := range o.sortColumns {
			for i, n := range columns {
				if n == c {
					keys = append(keys, i)
				}
			}
		}
		if len(keys) == 0 {
			return fmt.Errorf("no recognized column names in %s; recognized columns are %s", pyRepr(o.sortColumns), pyRepr(columns))
		}
		sort.SliceStable(rows, func(a, b int) bool {
			for _, k := range keys {
				x, y := pyStr(rows[a][k]), pyStr(rows[b][k])
				if x != y {
					if o.sortDesc {
						return x > y
					}
					return x < y
				}
			}
			return false
		})
	}
	cols := pick(columns, idx)
	sel := make([][]any, len(rows))
	for i, r := range rows {
		sel[i] = pick(r, idx)
	}
	switch o.format {
	case "json":
		var buf bytes.Buffer
		buf.WriteByte('[')
		for i, r := range sel {
			if i > 0 {
				buf.WriteByte(',')
			}
			if err := writeJSONObject(&buf, cols, r); err != nil {
				return err
			}
		}
		buf.WriteByte(']')
		return o.writeJSON(w, buf.Bytes())
	case "yaml":
		seq := &yaml.Node{Kind: yaml.SequenceNode}
		for _, r := range sel {
			m, err := yamlMapping(cols, r)
			if err != nil {
				return err
			}
			seq.Content = append(seq.Content, m)
		}
		if len(sel) == 0 {
			_, err := io.WriteString(w, "[]\n")
			return err
		}
		return writeYAML(w, seq)
	case "csv":
		var b strings.Builder
		header := make([]any, len(cols))
		for i, c := range cols {
			header[i] = c
		}
		writeCSVRow(&b, header)
		for _, r := range sel {
			writeCSVRow(&b, r)
		}
		_, err := io.WriteString(w, b.String())
		return err
	case "value":
		for _, r := range sel {
			s := make([]string, len(r))
			for i, v := range r {
				s[i] = pyStr(v)
			}
			if _, err := fmt.Fprintln(w, strings.Join(s, " ")); err != nil {
				return err
			}
		}
		return nil
	default:
		if len(sel) == 0 && !o.printEmpty {
			// cliff prints an empty line for an empty table.
			_, err := io.WriteString(w, "\n")
			return err
		}
		return writeTable(w, cols, sel, true)
	}
}

// writeCSVRow writes a row as cliff's CSV formatter does, with Python's
// csv.QUOTE_NONNUMERIC and a backslash as escape character: numbers and
// booleans bare, everything else quoted (None as ""), quotes doubled and
// backslashes escaped. encoding/csv quotes only where needed, which
// scripts reading openstack's CSV do not expect.
func writeCSVRow(b *strings.Builder, row []any) {
	for i, v := range row {
		if i > 0 {
			b.WriteByte(',')
		}
		if isNumber(v) {
			b.WriteString(pyStr(v))
			continue
		}
		if x, ok := v.(bool); ok {
			b.WriteString(pyStr(x))
			continue
		}
		s := ""
		if v != nil {
			s = pyStr(v)
		}
		b.WriteByte('"')
		b.WriteString(strings.NewReplacer(`"`, `""`, `\`, `\\`).Replace(s))
		b.WriteByte('"')
	}
	b.WriteByte('\n')
}

// printOne prints one resource: fields and their values.
func (o *outputOptions) printOne(w io.Writer, fields []string, values []any) error {
	idx, err := o.selectColumns(fields)
	if err != nil {
		return err
	}
	cols, vals := pick(fields, idx), pick(values, idx)
	switch o.format {
	case "json":
		var buf bytes.Buffer
		if err := writeJSONObject(&buf, cols, vals); err != nil {
			return err
		}
		return o.writeJSON(w, buf.Bytes())
	case "yaml":
		m, err := yamlMapping(cols, vals)
		if err != nil {
			return err
		}
		return writeYAML(w, m)
	case "value":
		for _, v := range vals {
			if _, err := fmt.Fprintln(w, pyStr(v)); err != nil {
				return err
			}
		}
		return nil
	case "shell":
		for i, c := range cols {
			name := o.prefix + strings.NewReplacer("-", "_", " ", "_", ":", "_").Replace(c)
			v := strings.NewReplacer(`\`, `\\`, `"`, `\"`, "`", "\\`", "$", `\$`).Replace(pyStr(vals[i]))
			if _, err := fmt.Fprintf(w, "%s=\"%s\"\n", name, v); err != nil {
				return err
			}
		}
		return nil
	default:
		rows := make([][]any, len(cols))
		for i := range cols {
			rows[i] = []any{cols[i], vals[i]}
		}
		return writeTable(w, []string{"Field", "Value"}, rows, false)
	}
}

func pick[T any](s []T, idx []int) []T {
	out := make([]T, len(idx))
	for i, j := range idx {
		out[i] = s[j]
	}
	return out
}

// writeJSONObject writes an object with its members in the order of keys.
func writeJSONObject(buf *bytes.Buffer, keys []string, values []any) error {
	buf.WriteByte('{')
	for i, k := range keys {
		if i > 0 {
			buf.WriteByte(',')
		}
		kb, err := json.Marshal(k)
		if err != nil {
			return err
		}
		vb, err := json.Marshal(values[i])
		if err != nil {
			return err
		}
		buf.Write(kb)
		buf.WriteByte(':')
		buf.Write(vb)
	}
	buf.WriteByte('}')
	return nil
}

func (o *outputOptions) writeJSON(w io.Writer, data []byte) error {
	var out bytes.Buffer
	if o.noindent {
		if err := json.Compact(&out, data); err != nil {
			return err
		}
	} else if err := json.Indent(&out, data, "", "  "); err != nil {
		return err
	}
	out.WriteByte('\n')
	_, err := w.Write(out.Bytes())
	return err
}

// yamlMapping builds a mapping node that keeps the order of keys.
// yamlMapping is a row or a resource as cliff's YAML formatter prints it:
// yaml.safe_dump of a dict, which sorts the keys.
func yamlMapping(keys []string, values []any) (*yaml.Node, error) {
	m := &yaml.Node{Kind: yaml.MappingNode}
	order := make([]int, len(keys))
	for i := range order {
		order[i] = i
	}
	sort.SliceStable(order, func(x, y int) bool { return keys[order[x]] < keys[order[y]] })
	for _, i := range order {
		k := keys[i]
		kn := &yaml.Node{}
		if err := kn.Encode(k); err != nil {
			return nil, err
		}
		vn := &yaml.Node{}
		if err := vn.Encode(values[i]); err != nil {
			return nil, err
		}
		m.Content = append(m.Content, kn, vn)
	}
	return m, nil
}

func writeYAML(w io.Writer, n *yaml.Node) error {
	enc := yaml.NewEncoder(w)
	enc.SetIndent(2)
	if err := enc.Encode(n); err != nil {
		return err
	}
	return enc.Close()
}

// writeTable draws a table as cliff (prettytable) does: +---+ borders, a
// rule under the header, values of several lines kept in their cell, columns
// left-aligned but, in a list (byFirstRow), those whose first value is a
// number right-aligned, headers included. go-pretty draws it; only its
// defaults that differ from prettytable's (upper-case headers) are changed.
func writeTable(w io.Writer, cols []string, rows [][]any, byFirstRow bool) error {
	t := table.NewWriter()
	style := table.StyleDefault
	style.Format.Header = text.FormatDefault
	t.SetStyle(style)
	configs := make([]table.ColumnConfig, len(cols))
	header := make(table.Row, len(cols))
	for i, c := range cols {
		header[i] = c
		align := text.AlignLeft
		if byFirstRow && len(rows) > 0 && isNumber(rows[0][i]) {
			align = text.AlignRight
		}
		configs[i] = table.ColumnConfig{Number: i + 1, Align: align, AlignHeader: align}
	}
	t.SetColumnConfigs(configs)
	t.AppendHeader(header)
	for _, row := range rows {
		r := make(table.Row, len(row))
		for i, v := range row {
			// cliff turns CR LF into a new line and a lone CR into a space.
			r[i] = strings.ReplaceAll(strings.ReplaceAll(pyStr(v), "\r\n", "\n"), "\r", " ")
		}
		t.AppendRow(r)
	}
	_, err := io.WriteString(w, t.Render()+"\n")
	return err
}

// isNumber reports whether v is a number, which cliff right-aligns.
func isNumber(v any) bool {
	switch v.(type) {
	case int, int32, int64, uint, uint32, uint64, float32, float64:
		return true
	}
	return false
}

// pyStr renders a value as Python's str() does, as cliff prints it in tables,
// values and CSV: True/False, None, ['a', 'b'], {'k': 'v'}.
func pyStr(v any) string {
	switch x := v.(type) {
	case string:
		return x
	case nil:
		return "None"
	default:
		return pyRepr(v)
	}
}

// pyRepr renders a value as Python's repr() does.
func pyRepr(v any) string {
	switch x := v.(type) {
	case nil:
		return "None"
	case string:
		return "'" + strings.ReplaceAll(strings.ReplaceAll(x, `\`, `\\`), "'", `\'`) + "'"
	case bool:
		if x {
			return "True"
		}
		return "False"
	case int:
		return strconv.Itoa(x)
	case float64:
		return strconv.FormatFloat(x, 'g', -1, 64)
	case []string:
		s := make([]string, len(x))
		for i, e := range x {
			s[i] = pyRepr(e)
		}
		return "[" + strings.Join(s, ", ") + "]"
	case []any:
		s := make([]string, len(x))
		for i, e := range x {
			s[i] = pyRepr(e)
		}
		return "[" + strings.Join(s, ", ") + "]"
	case map[string]any:
		keys := make([]string, 0, len(x))
		for k := range x {
			keys = append(keys, k)
		}
		sort.Strings(keys)
		s := make([]string, len(keys))
		for i, k := range keys {
			s[i] = pyRepr(k) + ": " + pyRepr(x[k])
		}
		return "{" + strings.Join(s, ", ") + "}"
	case fmt.Stringer:
		return x.String()
	default:
		// Other types go through JSON to plain values first.
		data, err := json.Marshal(v)
		if err != nil {
			return fmt.Sprint(v)
		}
		var plain any
		if err := json.Unmarshal(data, &plain); err != nil {
			return string(data)
		}
		if _, same := plain.(string); !same {
			if _, isMap := plain.(map[string]any); !isMap {
				if _, isList := plain.([]any); !isList {
					return string(data)
				}
			}
		}
		return pyRepr(plain)
	}
}
