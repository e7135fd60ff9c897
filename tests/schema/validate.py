#!/usr/bin/python3
"""validate.py SCHEMADIR DOCDIR: check every JSON document in DOCDIR
against SCHEMADIR/APPLET.schema.json, with Debian's python3-jsonschema.

Documents are files named APPLET@CASE@EXIT.json: the applet's whole stdout
under --json and its exit status. Besides the schema, the contract says:
stdout is exactly one JSON object; it has "error" exactly when the applet
failed, and error.exit is the exit status (fsck: 1 and 2 are success;
disable-growpart --status: 1 means "would grow", not a failure;
doctor: 1 means "found something", a report, not a failure).
Prints one line per problem and a count; exits 1 on any problem."""
import glob
import json
import os
import sys

import jsonschema

FSCK_OK = (0, 1, 2)


def load_schemas(sdir):
    store, by_name = {}, {}
    for path in sorted(glob.glob(os.path.join(sdir, '*.schema.json'))):
        with open(path) as f:
            schema = json.load(f)
        jsonschema.Draft202012Validator.check_schema(schema)
        store[schema['$id']] = schema
        by_name[os.path.basename(path)[:-len('.schema.json')]] = schema
    return store, by_name


def contract(applet, code, doc):
    """The exit code and "error" agree. Returns a list of problems."""
    err = doc.get('error')
    if applet == 'fsck':
        failed = code not in FSCK_OK
    elif applet == 'disable-growpart' and code == 1 and doc.get('action') == 'status':
        failed = err is not None
    elif applet == 'doctor' and code == 1:
        failed = err is not None
    else:
        failed = code != 0
    if failed and not isinstance(err, dict):
        return ['exit %d but no "error"' % code]
    if not failed and err is not None:
        return ['exit %d but an "error": %s' % (code, err)]
    if failed and err.get('exit') != code:
        return ['exit %d but error.exit %s' % (code, err.get('exit'))]
    return []


def check(path, store, by_name):
    applet, case, code = os.path.basename(path)[:-len('.json')].split('@')
    code = int(code)
    if applet not in by_name:
        return ['no schema doc/schema/%s.schema.json' % applet]
    with open(path) as f:
        text = f.read()
    try:
        doc = json.loads(text)
    except ValueError as e:
        return ['stdout is not one JSON document (%s): %r' % (e, text[:200])]
    if not isinstance(doc, dict):
        return ['the document is not an object']
    schema = by_name[applet]
    resolver = jsonschema.RefResolver(schema['$id'], schema, store=store)
    v = jsonschema.Draft202012Validator(schema, resolver=resolver)
    problems = ['%s: %s' % ('/'.join(str(p) for p in e.absolute_path) or '(top)', e.message)
                for e in sorted(v.iter_errors(doc), key=lambda e: list(e.absolute_path))]
    return problems + contract(applet, code, doc)


def main():
    sdir, ddir = sys.argv[1], sys.argv[2]
    store, by_name = load_schemas(sdir)
    docs = sorted(glob.glob(os.path.join(ddir, '*@*@*.json')))
    bad = 0
    for path in docs:
        for p in check(path, store, by_name):
            print('%s: %s' % (os.path.basename(path), p))
            bad += 1
    print('%d documents, %d problems' % (len(docs), bad))
    return 1 if bad or not docs else 0


if __name__ == '__main__':
    sys.exit(main())
