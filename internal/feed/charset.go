package feed

import (
	"bytes"
	"encoding/xml"
	"fmt"
	"mime"
	"regexp"
	"strings"
	"unicode/utf8"

	"golang.org/x/net/html/charset"
)

// fallbackCharset is what an undeclared, non-UTF-8 Russian feed is in practice.
const fallbackCharset = "windows-1251"

// maxDepth bounds element nesting: real feeds nest under 20 levels, while a
// body of a million nested elements makes gofeed work for many seconds.
const maxDepth = 256

var (
	bomUTF8 = []byte{0xEF, 0xBB, 0xBF}
	// prologEnc finds the encoding pseudo-attribute of the XML declaration.
	prologEnc = regexp.MustCompile(`^\s*<\?xml[^>]*?\sencoding\s*=\s*(?:"([^"]*)"|'([^']*)')`)
)

// toUTF8 decodes the feed body exactly once and rewrites the XML declaration
// to say UTF-8, so neither gofeed nor encoding/xml converts it again. It
// returns the UTF-8 body and the name of the charset it decoded from.
//
// Which charset:
//   - a byte-order mark decides;
//   - a body that is valid UTF-8 is UTF-8, whatever is declared: servers often
//     send a default "charset=windows-1251" header, while Cyrillic text in
//     windows-1251 or koi8-r is practically never valid UTF-8;
//   - otherwise the XML declaration if it names a known charset, else the
//     HTTP Content-Type charset, else windows-1251.
func toUTF8(body []byte, contentType string) ([]byte, string, error) {
	name := chooseCharset(body, contentType)
	body = bytes.TrimPrefix(body, bomUTF8)
	if name != "utf-8" {
		enc, canonical := charset.Lookup(name)
		if enc == nil {
			return nil, name, fmt.Errorf("feed: unknown charset %q", name)
		}
		out, err := enc.NewDecoder().Bytes(body)
		if err != nil {
			return nil, name, fmt.Errorf("feed: decode %s: %w", canonical, err)
		}
		body, name = bytes.TrimPrefix(out, bomUTF8), canonical
	}
	return declareUTF8(body), name, nil
}

func chooseCharset(body []byte, contentType string) string {
	if _, name, ok := charset.DetermineEncoding(body[:min(len(body), 3)], ""); ok && name != "utf-8" {
		return name // UTF-16 byte-order mark
	}
	if utf8.Valid(body) {
		return "utf-8"
	}
	for _, label := range []string{prologCharset(body), headerCharset(contentType)} {
		if enc, name := charset.Lookup(label); enc != nil && name != "utf-8" {
			return name
		}
	}
	return fallbackCharset
}

func prologCharset(body []byte) string {
	m := prologEnc.FindSubmatch(bytes.TrimPrefix(body[:min(len(body), 512)], bomUTF8))
	if m == nil {
		return ""
	}
	return strings.TrimSpace(string(m[1]) + string(m[2]))
}

func headerCharset(contentType string) string {
	_, params, err := mime.ParseMediaType(contentType)
	if err != nil {
		return ""
	}
	return strings.TrimSpace(params["charset"])
}

// declareUTF8 replaces the declared encoding, if any, with UTF-8.
func declareUTF8(body []byte) []byte {
	loc := prologEnc.FindSubmatchIndex(body)
	if loc == nil {
		return body
	}
	start, end := loc[2], loc[3] // double-quoted value
	if start < 0 {
		start, end = loc[4], loc[5] // single-quoted value
	}
	out := make([]byte, 0, len(body))
	out = append(out, body[:start]...)
	out = append(out, "UTF-8"...)
	return append(out, body[end:]...)
}

// checkDepth refuses bodies nested deeper than maxDepth.
func checkDepth(body []byte) error {
	d := xml.NewDecoder(bytes.NewReader(body))
	d.Strict = false
	depth := 0
	for {
		tok, err := d.RawToken()
		if err != nil { // io.EOF, or a syntax error gofeed will name
			return nil
		}
		switch tok.(type) {
		case xml.StartElement:
			if depth++; depth > maxDepth {
				return fmt.Errorf("feed: elements nested deeper than %d", maxDepth)
			}
		case xml.EndElement:
			depth--
		}
	}
}
