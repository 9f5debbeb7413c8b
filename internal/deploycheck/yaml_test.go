package deploycheck

import (
	"fmt"
	"reflect"
	"regexp"
	"strconv"
	"strings"
	"testing"
)

// A strict reader of the YAML subset that deploy/ uses: block mappings and
// sequences, plain, single- and double-quoted scalars, one-line flow
// sequences and mappings of scalars, comments and "---" documents. Anything
// else (block scalars, anchors, tags, multi-line plain scalars, tabs,
// duplicate keys, YAML 1.1 booleans such as "on" that Kubernetes would read as
// true) is an error, so a file that passes here is read the same way by
// Kubernetes' and Compose's YAML libraries. (The module has no YAML library
// of its own; go.yaml.in/yaml/v3 is only an indirect dependency in go.sum.)
//
// Scalars resolve as in YAML 1.2's core schema: true/false → bool,
// null/~ → nil, integers → int64, floats → float64, the rest → string;
// quoted scalars are always strings.

type yline struct {
	n, indent int
	text      string
}

func parseYAML(src string) ([]any, error) {
	var docs [][]yline
	var cur []yline
	for i, raw := range strings.Split(strings.ReplaceAll(src, "\r\n", "\n"), "\n") {
		n := i + 1
		body := strings.TrimLeft(raw, " ")
		if strings.HasPrefix(body, "\t") {
			return nil, fmt.Errorf("line %d: tab in indentation", n)
		}
		text, err := stripComment(body)
		if err != nil {
			return nil, fmt.Errorf("line %d: %w", n, err)
		}
		if text == "" {
			continue
		}
		indent := len(raw) - len(body)
		switch {
		case indent == 0 && (text == "---" || text == "..."):
			docs, cur = append(docs, cur), nil
			continue
		case indent == 0 && strings.HasPrefix(text, "%"):
			return nil, fmt.Errorf("line %d: directives are not supported", n)
		}
		cur = append(cur, yline{n, indent, text})
	}
	docs = append(docs, cur)
	var out []any
	for _, d := range docs {
		if len(d) == 0 {
			continue
		}
		p := &yparser{lines: d}
		v, err := p.node(0, d[0].indent)
		if err != nil {
			return nil, err
		}
		if p.i < len(d) {
			return nil, fmt.Errorf("line %d: unexpected indentation", d[p.i].n)
		}
		out = append(out, v)
	}
	return out, nil
}

// stripComment drops a comment (a # at the start or after a blank, outside
// quotes) and trailing blanks.
func stripComment(s string) (string, error) {
	var q byte
	for i := 0; i < len(s); i++ {
		c := s[i]
		switch {
		case q == '"' && c == '\\':
			i++
		case q != 0 && c == q:
			q = 0
		case q != 0:
		case (c == '"' || c == '\'') && (i == 0 || strings.ContainsRune(" [{,:-", rune(s[i-1]))):
			q = c
		case c == '#' && (i == 0 || s[i-1] == ' '):
			return strings.TrimRight(s[:i], " "), nil
		}
	}
	if q != 0 {
		return "", fmt.Errorf("unterminated quote (multi-line scalars are not supported)")
	}
	return strings.TrimRight(s, " "), nil
}

type yparser struct {
	lines []yline
	i     int
}

func isSeqItem(text string) bool { return text == "-" || strings.HasPrefix(text, "- ") }

func (p *yparser) node(i, indent int) (any, error) {
	p.i = i
	if isSeqItem(p.lines[i].text) {
		return p.seq(indent)
	}
	return p.mapping(indent)
}

func (p *yparser) seq(indent int) (any, error) {
	out := []any{}
	for p.i < len(p.lines) && p.lines[p.i].indent == indent && isSeqItem(p.lines[p.i].text) {
		l := p.lines[p.i]
		rest := strings.TrimLeft(l.text[1:], " ")
		switch {
		case rest == "":
			if p.i+1 < len(p.lines) && p.lines[p.i+1].indent > indent {
				v, err := p.node(p.i+1, p.lines[p.i+1].indent)
				if err != nil {
					return nil, err
				}
				out = append(out, v)
			} else {
				out, p.i = append(out, nil), p.i+1
			}
		case isSeqItem(rest) || isKeyLine(rest):
			// "- key: value" opens a mapping (or a sequence) whose next lines
			// are indented like the text after the dash.
			p.lines[p.i] = yline{l.n, indent + len(l.text) - len(rest), rest}
			v, err := p.node(p.i, p.lines[p.i].indent)
			if err != nil {
				return nil, err
			}
			out = append(out, v)
		default:
			v, err := scalar(rest)
			if err != nil {
				return nil, fmt.Errorf("line %d: %w", l.n, err)
			}
			out, p.i = append(out, v), p.i+1
			if err := p.noDeeper(indent); err != nil {
				return nil, err
			}
		}
	}
	return out, p.noDeeper(indent)
}

func (p *yparser) mapping(indent int) (any, error) {
	out := map[string]any{}
	for p.i < len(p.lines) && p.lines[p.i].indent == indent {
		l := p.lines[p.i]
		if isSeqItem(l.text) {
			return nil, fmt.Errorf("line %d: a sequence item where a key was expected", l.n)
		}
		key, rest, err := splitKey(l.text)
		if err != nil {
			return nil, fmt.Errorf("line %d: %w", l.n, err)
		}
		if _, dup := out[key]; dup {
			return nil, fmt.Errorf("line %d: duplicate key %q", l.n, key)
		}
		var v any
		next := p.i + 1
		switch {
		case rest != "":
			if v, err = scalar(rest); err != nil {
				return nil, fmt.Errorf("line %d: %w", l.n, err)
			}
			p.i = next
			if err := p.noDeeper(indent); err != nil {
				return nil, err
			}
		case next < len(p.lines) && p.lines[next].indent > indent:
			if v, err = p.node(next, p.lines[next].indent); err != nil {
				return nil, err
			}
		case next < len(p.lines) && p.lines[next].indent == indent && isSeqItem(p.lines[next].text):
			p.i = next // "key:" followed by "- item" at the key's own indentation
			if v, err = p.seq(indent); err != nil {
				return nil, err
			}
		default:
			p.i = next
		}
		out[key] = v
	}
	return out, p.noDeeper(indent)
}

func (p *yparser) noDeeper(indent int) error {
	if p.i < len(p.lines) && p.lines[p.i].indent > indent {
		return fmt.Errorf("line %d: unexpected indentation (multi-line scalars are not supported)", p.lines[p.i].n)
	}
	return nil
}

func isKeyLine(s string) bool {
	_, _, err := splitKey(s)
	return err == nil
}

// splitKey splits "key: value" (or "key:"); the key may be quoted.
func splitKey(s string) (key, rest string, err error) {
	if s[0] == '"' || s[0] == '\'' {
		end := closingQuote(s)
		if end < 0 {
			return "", "", fmt.Errorf("unterminated quoted key")
		}
		k, err := scalar(s[:end+1])
		if err != nil {
			return "", "", err
		}
		after := s[end+1:]
		if after != ":" && !strings.HasPrefix(after, ": ") {
			return "", "", fmt.Errorf("expected ':' after the key")
		}
		return k.(string), strings.TrimSpace(after[1:]), nil
	}
	for i := 0; i < len(s); i++ {
		if s[i] == ':' && (i == len(s)-1 || s[i+1] == ' ') {
			key = s[:i]
			if strings.ContainsAny(key[:1], "[]{}&*!|>%@`?,") || strings.Contains(key, "#") {
				return "", "", fmt.Errorf("unsupported key %q", key)
			}
			return key, strings.TrimSpace(s[i+1:]), nil
		}
	}
	return "", "", fmt.Errorf("expected \"key: value\", got %q", s)
}

func closingQuote(s string) int {
	q := s[0]
	for i := 1; i < len(s); i++ {
		switch {
		case q == '"' && s[i] == '\\':
			i++
		case q == '\'' && s[i] == '\'' && i+1 < len(s) && s[i+1] == '\'':
			i++
		case s[i] == q:
			return i
		}
	}
	return -1
}

var (
	yInt     = regexp.MustCompile(`^[-+]?[0-9]+$`)
	yFloat   = regexp.MustCompile(`^[-+]?(\.[0-9]+|[0-9]+(\.[0-9]*)?)([eE][-+]?[0-9]+)?$`)
	yBool11  = regexp.MustCompile(`^(y|Y|yes|Yes|YES|n|N|no|No|NO|on|On|ON|off|Off|OFF)$`)
	ySexagum = regexp.MustCompile(`^[-+]?[0-9][0-9_]*(:[0-5]?[0-9])+(\.[0-9_]*)?$`)
)

// scalar reads one inline value: a quoted or plain scalar, or a one-line flow
// collection of scalars.
func scalar(s string) (any, error) {
	switch s[0] {
	case '"':
		if closingQuote(s) != len(s)-1 {
			return nil, fmt.Errorf("text after a quoted scalar: %s", s)
		}
		v, err := strconv.Unquote(s)
		if err != nil {
			return nil, fmt.Errorf("bad double-quoted scalar %s: %w", s, err)
		}
		return v, nil
	case '\'':
		if closingQuote(s) != len(s)-1 {
			return nil, fmt.Errorf("text after a quoted scalar: %s", s)
		}
		return strings.ReplaceAll(s[1:len(s)-1], "''", "'"), nil
	case '[', '{':
		return flow(s)
	case '|', '>':
		return nil, fmt.Errorf("block scalars are not supported: %s", s)
	case '&', '*', '!', '%', '@', '`', ']', '}', ',', '?':
		return nil, fmt.Errorf("unsupported value (anchor, alias, tag or reserved): %s", s)
	}
	switch {
	case strings.Contains(s, ": ") || strings.HasSuffix(s, ":"):
		return nil, fmt.Errorf("ambiguous plain scalar, quote it: %s", s)
	case yBool11.MatchString(s):
		return nil, fmt.Errorf("%q is a boolean in YAML 1.1 (Kubernetes) but a string in 1.2: quote it", s)
	case ySexagum.MatchString(s):
		return nil, fmt.Errorf("%q is a base-60 number in YAML 1.1: quote it", s)
	case s == "true" || s == "false":
		return s == "true", nil
	case s == "null" || s == "~":
		return nil, nil
	case yInt.MatchString(s):
		return strconv.ParseInt(s, 10, 64)
	case yFloat.MatchString(s):
		return strconv.ParseFloat(s, 64)
	}
	return s, nil
}

// flow reads [a, b] or {k: v, ...} of scalars (no nesting).
func flow(s string) (any, error) {
	open, end := s[0], map[byte]byte{'[': ']', '{': '}'}[s[0]]
	if s[len(s)-1] != end {
		return nil, fmt.Errorf("unterminated or trailing text in flow collection: %s", s)
	}
	inner := strings.TrimSpace(s[1 : len(s)-1])
	var items []string
	if inner != "" {
		start, q := 0, byte(0)
		for i := 0; i < len(inner); i++ {
			c := inner[i]
			switch {
			case q == '"' && c == '\\':
				i++
			case q != 0 && c == q:
				q = 0
			case q != 0:
			case c == '"' || c == '\'':
				q = c
			case c == '[' || c == '{' || c == ']' || c == '}':
				return nil, fmt.Errorf("nested flow collections are not supported: %s", s)
			case c == ',':
				items, start = append(items, strings.TrimSpace(inner[start:i])), i+1
			}
		}
		items = append(items, strings.TrimSpace(inner[start:]))
	}
	if open == '[' {
		out := []any{}
		for _, it := range items {
			if it == "" {
				return nil, fmt.Errorf("empty item in %s", s)
			}
			v, err := scalar(it)
			if err != nil {
				return nil, err
			}
			out = append(out, v)
		}
		return out, nil
	}
	out := map[string]any{}
	for _, it := range items {
		k, rest, err := splitKey(it)
		if err != nil {
			return nil, err
		}
		if _, dup := out[k]; dup {
			return nil, fmt.Errorf("duplicate key %q in %s", k, s)
		}
		var v any
		if rest != "" {
			if v, err = scalar(rest); err != nil {
				return nil, err
			}
		}
		out[k] = v
	}
	return out, nil
}

func TestYAMLReader(t *testing.T) {
	good := []struct {
		src  string
		want []any
	}{
		{"a: 1\nb: x # comment\nc: \"q # not a comment\"\n", []any{map[string]any{"a": int64(1), "b": "x", "c": "q # not a comment"}}},
		{"l:\n- a\n- 'it''s'\n-   b: true\n    c: [x, \"y\", 3]\n", []any{map[string]any{"l": []any{"a", "it's", map[string]any{"b": true, "c": []any{"x", "y", int64(3)}}}}}},
		{"m:\n  n:\n    - - 1\n      - 2\n  e: {}\n  f: {k: v}\n  g:\n", []any{map[string]any{"m": map[string]any{"n": []any{[]any{int64(1), int64(2)}}, "e": map[string]any{}, "f": map[string]any{"k": "v"}, "g": nil}}}},
		{"# head\n---\nkind: A\n---\nkind: B\n", []any{map[string]any{"kind": "A"}, map[string]any{"kind": "B"}}},
		{"url: redis://redis:6379/0\naddr: 0.0.0.0:8080\nk.io/x: \"true\"\nf: 0.5\n", []any{map[string]any{"url": "redis://redis:6379/0", "addr": "0.0.0.0:8080", "k.io/x": "true", "f": 0.5}}},
	}
	for _, c := range good {
		got, err := parseYAML(c.src)
		if err != nil || !reflect.DeepEqual(got, c.want) {
			t.Errorf("parseYAML(%q) = %#v, %v; want %#v", c.src, got, err, c.want)
		}
	}
	bad := []string{
		"a: 1\na: 2\n",          // duplicate key
		"a: |\n  text\n",        // block scalar
		"a: &x 1\nb: *x\n",      // anchor
		"a: b\n  c: d\n",        // bad indentation
		"a:\n\tb: 1\n",          // tab
		"a: on\n",               // YAML 1.1 boolean
		"p: 22:22\n",            // base 60
		"a: x: y\n",             // ambiguous
		"a: \"open\n",           // unterminated
		"- a\nb: c\n",           // sequence then mapping
		"a: [1, [2]]\n",         // nested flow
		"a: plain\n  continued", // multi-line plain scalar
	}
	for _, src := range bad {
		if got, err := parseYAML(src); err == nil {
			t.Errorf("parseYAML(%q) = %#v, want an error", src, got)
		}
	}
}
