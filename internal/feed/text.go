package feed

import (
	"strings"

	"golang.org/x/net/html"
	"golang.org/x/net/html/atom"
)

// breaks are the elements that separate words or paragraphs in a feed's HTML.
var breaks = map[atom.Atom]bool{
	atom.P: true, atom.Br: true, atom.Div: true, atom.Li: true, atom.Ul: true, atom.Ol: true,
	atom.H1: true, atom.H2: true, atom.H3: true, atom.H4: true, atom.H5: true, atom.H6: true,
	atom.Blockquote: true, atom.Tr: true, atom.Td: true, atom.Figure: true, atom.Figcaption: true,
	atom.Section: true, atom.Article: true, atom.Hr: true, atom.Table: true,
}

// skipped are elements whose text is not part of the article.
var skipped = map[atom.Atom]bool{atom.Script: true, atom.Style: true, atom.Noscript: true, atom.Iframe: true}

// plainText turns a feed's HTML (or text with entities) into plain text:
// tags stripped, entities decoded once (gofeed already decoded the XML
// layer; this decodes the HTML layer many Russian feeds double-encode),
// whitespace collapsed. With paragraphs, block elements become blank lines;
// without, everything is one line.
func plainText(s string, paragraphs bool) string {
	if !strings.ContainsAny(s, "<&") {
		return collapse(s, paragraphs)
	}
	var b strings.Builder
	z := html.NewTokenizer(strings.NewReader(s))
	skip := atom.Atom(0)
	for {
		tt := z.Next()
		switch tt {
		case html.ErrorToken:
			return collapse(b.String(), paragraphs)
		case html.TextToken:
			if skip == 0 {
				b.Write(z.Text())
			}
		case html.StartTagToken, html.EndTagToken, html.SelfClosingTagToken:
			name, _ := z.TagName()
			a := atom.Lookup(name)
			switch {
			case skipped[a] && tt == html.StartTagToken && skip == 0:
				skip = a
			case a == skip && tt == html.EndTagToken:
				skip = 0
			case breaks[a]:
				b.WriteString("\n")
			}
		}
	}
}

// collapse squeezes runs of white space (non-breaking spaces included) to
// one space; with paragraphs, line breaks separate paragraphs.
func collapse(s string, paragraphs bool) string {
	if !paragraphs {
		return strings.Join(strings.Fields(s), " ")
	}
	var out []string
	for _, line := range strings.Split(s, "\n") {
		if l := strings.Join(strings.Fields(line), " "); l != "" {
			out = append(out, l)
		}
	}
	return strings.Join(out, "\n\n")
}

// firstImage returns the src of the first <img> in the HTML, or "".
func firstImage(s string) string {
	if !strings.Contains(s, "<img") && !strings.Contains(s, "<IMG") {
		return ""
	}
	z := html.NewTokenizer(strings.NewReader(s))
	for {
		switch z.Next() {
		case html.ErrorToken:
			return ""
		case html.StartTagToken, html.SelfClosingTagToken:
			name, hasAttr := z.TagName()
			if atom.Lookup(name) != atom.Img {
				continue
			}
			for hasAttr {
				var k, v []byte
				k, v, hasAttr = z.TagAttr()
				if string(k) == "src" && strings.TrimSpace(string(v)) != "" {
					return strings.TrimSpace(string(v))
				}
			}
		}
	}
}

// truncate cuts s to at most n runes at a word boundary, adding "…".
func truncate(s string, n int) string {
	r := []rune(s)
	if len(r) <= n {
		return s
	}
	cut := string(r[:n])
	if i := strings.LastIndexByte(cut, ' '); i > len(cut)/2 {
		cut = cut[:i]
	}
	return strings.TrimRight(cut, " ,.;:—-") + "…"
}
