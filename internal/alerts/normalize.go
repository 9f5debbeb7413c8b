package alerts

import (
	"html"
	"strings"
	"unicode"
	"unicode/utf8"

	"github.com/kljensen/snowball/russian"
	"golang.org/x/text/unicode/norm"
)

// maxTokenRunes is the longest run of letters treated as a word. Longer runs
// (base64, URLs glued together) become a blocker token that matches nothing,
// so they cost no stemming and never join the words around them.
const maxTokenRunes = MaxPhraseRunes

// blocker separates the fields of an article (title, lead, text) and stands in
// for overlong tokens: a phrase never matches across it.
const blocker = ""

// stemmer turns the text of a phrase or an article into its sequence of
// normalized tokens. It remembers the words it has stemmed, because an
// article repeats its words; one stemmer serves one goroutine.
type stemmer struct {
	seen map[string]string
	word []rune
}

func newStemmer() *stemmer {
	return &stemmer{seen: make(map[string]string)}
}

// tokens appends the normalized tokens of text to out: words are runs of
// letters and digits; everything else («№», dashes, quotes) separates them.
func (s *stemmer) tokens(text string, out []string) []string {
	if strings.IndexByte(text, '&') >= 0 {
		text = html.UnescapeString(text) // "улица&nbsp;Мира" is two words, not three
	}
	if !norm.NFC.IsNormalString(text) {
		text = norm.NFC.String(text) // е + U+0308 becomes ё, и + U+0306 becomes й
	}
	s.word = s.word[:0]
	for _, r := range text {
		switch {
		case unicode.IsLetter(r) || unicode.IsDigit(r):
			s.word = append(s.word, lowerFold(r))
		case inWordMark(r):
			// stress marks and soft hyphens sit inside words: skip them
		default:
			out = s.flush(out)
		}
	}
	return s.flush(out)
}

// flush ends the word being read, if any.
func (s *stemmer) flush(out []string) []string {
	if len(s.word) == 0 {
		return out
	}
	if len(s.word) > maxTokenRunes {
		s.word = s.word[:0]
		return append(out, blocker)
	}
	w := string(s.word)
	s.word = s.word[:0]
	st, ok := s.seen[w]
	if !ok {
		st = stemWord(w)
		s.seen[w] = st
	}
	if st == "" {
		return out // a "word" of only ь/ъ: nothing to match on
	}
	return append(out, st)
}

// lowerFold lower-cases r and writes ё as е: residents and editors use both.
func lowerFold(r rune) rune {
	r = unicode.ToLower(r)
	if r == 'ё' {
		return 'е'
	}
	return r
}

// inWordMark tells the runes that may sit inside a word without splitting it:
// combining marks (stress accents) and invisible joiners.
func inWordMark(r rune) bool {
	switch r {
	case '\u00ad', '\u200c', '\u200d', '\u2060': // soft hyphen, ZWNJ, ZWJ, word joiner
		return true
	}
	return unicode.Is(unicode.Mn, r)
}

// stemWord normalizes one lower-cased word. Numbers and words with digits
// («12», «12а») stay as they are; Russian words are stemmed by Snowball and
// folded; other words (Latin) are only lower-cased.
func stemWord(w string) string {
	cyr := false
	for _, r := range w {
		if unicode.IsDigit(r) {
			return w
		}
		if r >= 0x0400 && r <= 0x04FF {
			cyr = true
		}
	}
	if !cyr {
		return w
	}
	return fold(russian.Stem(w, false))
}

// irregular maps the stems of words whose forms no rule below evens out
// (церковь/церкви, Орёл/Орла) to one stem. Keys are stems after ь/ъ removal.
var irregular = map[string]string{
	"церкв": "церков",
	"орел":  "орл",
}

// fold evens out the stems Snowball leaves different for forms of one word.
// Each rule is applied to phrases and texts alike, so it can only make more
// forms meet; it is kept narrow (long stems, specific endings) so that
// different words rarely collide. Rules, in order:
//  1. drop ь and ъ: оскольце→оскольц vs осколец, огонька→огоньк vs огонек;
//  2. irregular table above;
//  3. a trailing е after a consonant (stem of 4+ runes): лицея→лице vs лицей→лиц;
//  4. a trailing н/л after а/я (stem of 4+ runes), which Snowball strips from
//     the bare noun as if it were a verb ending: фонтан→фонта vs фонтане→фонтан;
//  5. the fleeting vowel of -ок/-ек/-ец after a consonant (stem of 5+ runes):
//     посёлок→поселок vs посёлке→поселк, рынок/рынка, осколец/оскольца.
//
// Known collisions this accepts: лесок/леска, сорок/сорока, Ивана/ива.
func fold(stem string) string {
	r := make([]rune, 0, utf8.RuneCountInString(stem))
	for _, c := range stem {
		if c != 'ь' && c != 'ъ' {
			r = append(r, c)
		}
	}
	if v, ok := irregular[string(r)]; ok {
		return v
	}
	n := len(r)
	if n >= 4 && r[n-1] == 'е' && isConsonant(r[n-2]) {
		r, n = r[:n-1], n-1
	}
	if n >= 4 && (r[n-1] == 'н' || r[n-1] == 'л') && (r[n-2] == 'а' || r[n-2] == 'я') {
		r, n = r[:n-1], n-1
	}
	if n >= 5 && (r[n-1] == 'к' || r[n-1] == 'ц') && (r[n-2] == 'о' || r[n-2] == 'е') && isConsonant(r[n-3]) {
		r = append(r[:n-2], r[n-1])
	}
	return string(r)
}

// isConsonant tells a Russian consonant letter (ь, ъ and й excluded).
func isConsonant(r rune) bool {
	return strings.ContainsRune("бвгджзклмнпрстфхцчшщ", r)
}

// normalize gives the normalized tokens of a phrase, joined by spaces: the
// form under which it is stored and indexed. Empty when it has no words.
func normalize(phrase string) string {
	return strings.Join(newStemmer().tokens(phrase, nil), " ")
}

// onlyStopWords tells whether every word of the phrase is a Russian stop
// word («в», «на», «и»): such a follow would match nearly every article.
func onlyStopWords(phrase string) bool {
	words := strings.FieldsFunc(strings.ToLower(phrase), func(r rune) bool {
		return !unicode.IsLetter(r) && !unicode.IsDigit(r)
	})
	for _, w := range words {
		if !russian.IsStopWord(strings.ReplaceAll(w, "ё", "е")) {
			return false
		}
	}
	return len(words) > 0
}
