#!/usr/bin/python3
"""Print the signatures of signer_test.go's vectors, as python-keystoneclient's
Ec2Signer (keystoneclient.contrib.ec2.utils, the code Keystone's
/v3/ec2tokens runs) computes them, and the S3 signatures as Keystone's
/v3/s3tokens (keystone.api.s3tokens) computes them.

Run with the system Python that has python3-keystoneclient and
python3-keystone: /usr/bin/python3 pkg/ec2signer/testdata/vectors.py
"""
import base64
import copy

from keystoneclient.contrib.ec2.utils import Ec2Signer
from keystone.api import s3tokens

SECRET = 'wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY'

# Dict order matters to Python's stable sort in v1 when two names differ only
# in case: the Go signer breaks such ties by byte order, which is the order
# encoding/json sends a map in, so these dicts list names in byte order.
VECTORS = [
    ('v0', dict(params={'Action': 'DescribeInstances',
                        'Timestamp': '2011-10-03T15:19:30Z',
                        'SignatureVersion': '0'})),
    ('v0_unicode', dict(params={'Action': 'Descr\u00efbe',
                                'Timestamp': '2011-10-03T15:19:30\u00e9',
                                'SignatureVersion': '0'})),
    ('v1', dict(params={'AWSAccessKeyId': 'AKIDEXAMPLE',
                        'Action': 'DescribeInstances',
                        'SignatureVersion': '1',
                        'Timestamp': '2011-10-03T15:19:30Z',
                        'Version': '2010-08-31',
                        'aB': 'x', 'ab': 'y', 'zeta': '\u00fc \u2603'})),
    ('v2', dict(verb='GET', host='ec2.example.com:8773',
                path='/services/Cloud/',
                params={'AWSAccessKeyId': 'AKIDEXAMPLE',
                        'Action': 'DescribeInstances',
                        'Filter.1.Value.1': 'a b/c+d*e~f=g&h.i_j-k\u00fc',
                        'SignatureMethod': 'HmacSHA1',
                        'SignatureVersion': '2',
                        'Timestamp': '2011-10-03T15:19:30Z',
                        'Version': '2010-08-31',
                        'n\u00e4me /': 'v'})),
    ('v2_no_method', dict(verb='POST', host='localhost', path='/',
                          params={'Action': 'X', 'SignatureVersion': '2'})),
    ('v4_header', dict(
        verb='get', host='ec2.example.com', path='/services/Cloud/',
        params={'Action': 'DescribeInstances', 'Version': '2010-08-31',
                'b': 'sp ce/\u00fc'},
        headers={'Host': 'ec2.example.com:8773',
                 'X-Amz-Date': '20110909T233600Z',
                 ' Content-Type ': '  application/x-www-form-urlencoded; charset=utf-8 \x1f',
                 'Authorization': 'AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/20110909/RegionOne/ec2/aws4_request, SignedHeaders=content-type;host;missing;x-amz-date, Signature=ignored'},
        body_hash='e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855')),
    ('v4_query', dict(
        verb='GET', host='localhost', path='/',
        params={'Action': 'DescribeRegions',
                'X-Amz-Algorithm': 'AWS4-HMAC-SHA256',
                'X-Amz-Credential': 'AKIDEXAMPLE/20110909/us-east-1/ec2/aws4_request',
                'X-Amz-Date': '20110909T233600Z',
                'X-Amz-SignedHeaders': 'host'},
        headers={'Host': 'localhost:8773'},
        body_hash='UNSIGNED-PAYLOAD')),
    ('v4_post', dict(
        verb='POST', host='localhost', path='/services/Cloud',
        params={'Action': 'ignored for a POST'},
        headers={'host': 'localhost', 'X-Amz-Date': '20110909T233600Z',
                 'X-Unsigned': 'not signed',
                 'Authorization': 'AWS4-HMAC-SHA256 Credential=AK/20110909/r/ec2/aws4_request/extra,SignedHeaders=host;x-amz-date'},
        body_hash='2cf24dba5fb0a30e26e83b2ac5b9e29e1b161e5c1fa7425e73043362938b9824')),
    ('v4_old_boto', dict(
        verb='GET', host='localhost', path='/',
        params={},
        headers={'Host': 'localhost:8773', 'User-Agent': 'Boto/2.9.2 Python/2.7',
                 'X-Amz-Date': '20110909T233600Z',
                 'Authorization': 'AWS4-HMAC-SHA256 Credential=AK/20110909/r/ec2/aws4_request, SignedHeaders=host;user-agent;x-amz-date'},
        body_hash='x')),
    ('v4_no_signed_headers', dict(
        verb='GET', host='localhost', path='/',
        params={},
        headers={'Host': 'localhost', 'X-Amz-Date': '20110909T233600Z',
                 'Authorization': 'AWS4-HMAC-SHA256 Credential=AK/20110909/r/ec2/aws4_request'},
        body_hash='x')),
]

S3 = [
    ('s3_v1', 'GET\n\n\nTue, 27 Mar 2007 19:36:42 +0000\n/johnsmith/photos/puppy.jpg'),
    ('s3_v4', 'AWS4-HMAC-SHA256\n20130524T000000Z\n20130524/us-east-1/s3/aws4_request\n'
              '7344ae5b7ee6c3e7e6b0fe0640412a37625d1fbfff95c48bbb2dc43964946972'),
]

for name, creds in VECTORS:
    c = copy.deepcopy(creds)
    print('%s = %r' % (name, Ec2Signer(SECRET).generate(c)))

for name, sts in S3:
    token = base64.urlsafe_b64encode(sts.encode()).decode()
    if sts.startswith('AWS4'):
        sig = s3tokens._calculate_signature_v4(sts.encode(), SECRET)
    else:
        sig = s3tokens._calculate_signature_v1(sts.encode(), SECRET)
    print('%s token = %r signature = %r' % (name, token, sig))

# Bad inputs: what Ec2Signer raises.
BAD = [
    ('unknown version', dict(params={'SignatureVersion': '3'})),
    ('no version', dict(params={'Action': 'X'})),
    ('v0 no Timestamp', dict(params={'SignatureVersion': '0', 'Action': 'X'})),
    ('authorization not v4', dict(params={'X-Amz-Algorithm': 'AWS4-HMAC-SHA256'},
                                  headers={'Authorization': 'AWS AK:sig'})),
    ('v4 date mismatch', dict(verb='GET', host='h', path='/', params={},
                              headers={'X-Amz-Date': '20110910T000000Z',
                                       'Authorization': 'AWS4-HMAC-SHA256 Credential=AK/20110909/r/ec2/aws4_request, SignedHeaders=host'},
                              body_hash='x')),
    ('v4 short credential', dict(verb='GET', host='h', path='/', params={},
                                 headers={'X-Amz-Date': '20110909T000000Z',
                                          'Authorization': 'AWS4-HMAC-SHA256 Credential=AK/20110909/r, SignedHeaders=host'},
                                 body_hash='x')),
]
for name, creds in BAD:
    try:
        print(name, 'signs:', Ec2Signer(SECRET).generate(creds))
    except Exception as e:
        print('%s raises %s: %s' % (name, type(e).__name__, e))
