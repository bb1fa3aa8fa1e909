#!/usr/bin/env python3
"""List functions longer than a limit and the deepest branch nesting inside each (issue 16 part 6).

Usage: scripts/long-functions.py [--max-lines N] [--max-depth D] FILE|DIR...
A brace scanner, not a parser: comments, strings and character literals are blanked, then each
'{' at namespace or class level whose header ends in ')' (plus const/noexcept/override/-> type/
initializer list) starts a function. Lambdas count toward the function holding them. Nesting is
the depth of braces inside the function body (1 = the body's own statements). Exit 1 if any
function exceeds a limit."""
import argparse, pathlib, re, sys

def blank(text):
    out, i, n = [], 0, len(text)
    while i < n:
        c = text[i]
        if text.startswith('//', i):
            j = text.find('\n', i)
            j = n if j < 0 else j
            out.append(' ' * (j - i)); i = j
        elif text.startswith('/*', i):
            j = text.find('*/', i + 2)
            j = n if j < 0 else j + 2
            out.append(re.sub(r'[^\n]', ' ', text[i:j])); i = j
        elif text.startswith('R"', i) and (i == 0 or not (text[i-1].isalnum() or text[i-1] == '_')):
            m = re.match(r'R"([^(]*)\(', text[i:])
            end = text.find(')' + m.group(1) + '"', i) if m else -1
            j = n if end < 0 else end + len(m.group(1)) + 2
            out.append(re.sub(r'[^\n]', ' ', text[i:j])); i = j
        elif c in '"\'':
            if c == "'" and i > 0 and text[i-1].isalnum() and i + 1 < n and text[i+1].isalnum():
                out.append(' '); i += 1; continue  # digit separator 1'000
            j = i + 1
            while j < n and text[j] != c:
                j += 2 if text[j] == '\\' else 1
            out.append(c + ' ' * (j - i - 1) + c); i = j + 1
        else:
            out.append(c); i += 1
    return ''.join(out)

CONTAINER = re.compile(r'\b(namespace|class|struct|union|enum|extern\s+"C")\b[^;{}()=]*$')

def scan(path, max_lines, max_depth):
    text = blank(pathlib.Path(path).read_text(errors='replace'))
    stack = []  # entries: ('container'|'function'|'other', start_line, name)
    last = 0    # index after the previous ; { or }
    bad = []
    for i, c in enumerate(text):
        if c == '{':
            header = text[last:i]
            inside_fn = any(s[0] == 'function' for s in stack)
            if inside_fn:
                stack.append(('block', 0, '', None))
                fn = next(s for s in stack if s[0] == 'function')
                d = sum(1 for s in stack if s[0] == 'block')
                fn[3][0] = max(fn[3][0], d)
            elif CONTAINER.search(header.strip()) or header.strip().endswith('extern "C"'):
                stack.append(('container', 0, '', None))
            elif re.search(r'\)\s*(const|noexcept|override|final|mutable|->[^{;]*|:[^{;]*|\s)*$', header) \
                    and not re.search(r'=\s*$', header.strip()):
                line = text.count('\n', 0, i) + 1
                m = re.findall(r'([~\w:]+(?:operator\S*)?)\s*\(', header)
                name = m[0] if m else '?'
                stack.append(('function', line, name, [0]))
            else:
                stack.append(('other', 0, '', None))
            last = i + 1
        elif c == '}':
            if stack:
                kind, start, name, deepest = stack.pop()
                if kind == 'function':
                    end = text.count('\n', 0, i) + 1
                    lines = end - start + 1
                    depth = deepest[0]
                    if lines > max_lines or depth > max_depth:
                        bad.append((path, start, name, lines, depth))
            last = i + 1
        elif c == ';':
            last = i + 1
    return bad

def main():
    ap = argparse.ArgumentParser()
    ap.add_argument('--max-lines', type=int, default=80)
    ap.add_argument('--max-depth', type=int, default=4)
    ap.add_argument('paths', nargs='+')
    a = ap.parse_args()
    files = []
    for p in a.paths:
        p = pathlib.Path(p)
        files += sorted(p.rglob('*.cpp')) + sorted(p.rglob('*.h')) if p.is_dir() else [p]
    bad = []
    for f in files:
        bad += scan(f, a.max_lines, a.max_depth)
    for path, start, name, lines, depth in bad:
        try:
            print(f'{path}:{start}: {name}: {lines} lines, nesting {depth}')
        except BrokenPipeError:
            return 1
    return 1 if bad else 0

if __name__ == '__main__':
    sys.exit(main())
