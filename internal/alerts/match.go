package alerts

import (
	"context"
	"fmt"
	"sort"
	"strconv"
	"strings"
	"unicode/utf8"

	"github.com/redis/go-redis/v9"

	"github.com/gubkin-news/newsbot/internal/news"
)

// maxTextBytes bounds how much of each article field is searched, so a
// runaway feed entry costs milliseconds, not seconds. Real articles are far
// shorter.
const maxTextBytes = 256 << 10

// Result is what one article means for the alert lists.
type Result struct {
	// Follows maps each chat following a phrase the article mentions to
	// those phrases as the chat typed them, sorted: the push's reason line
	// («упомянута: Комсомольская»).
	Follows map[int64][]string
	// Muted holds the chats that muted a phrase the article mentions.
	Muted map[int64]bool
}

// Match finds the chats whose follows and mutes the article mentions in its
// title, lead or text. The article is stemmed once; candidate phrases come
// from the first-stem index and the chats of the matching phrases from their
// hashes, each in one pipeline: the work grows with the article and the
// matching phrases, never with the number of chats.
func (a *Alerts) Match(ctx context.Context, art news.Article) (Result, error) {
	toks := articleTokens(art)
	cands, err := a.candidates(ctx, toks)
	if err != nil {
		return Result{}, fmt.Errorf("alerts: match article %s: %w", art.ID, err)
	}
	res, err := a.chatsOf(ctx, mentioned(toks, cands))
	if err != nil {
		return Result{}, fmt.Errorf("alerts: match article %s: %w", art.ID, err)
	}
	return res, nil
}

// articleTokens stems the three fields of art, with a blocker between them
// so that a phrase never runs from the title into the lead.
func articleTokens(art news.Article) []string {
	s := newStemmer()
	toks := make([]string, 0, 64+len(art.FullText)/8)
	for i, f := range []string{art.Title, art.Lead, art.FullText} {
		if i > 0 {
			toks = append(toks, blocker)
		}
		toks = s.tokens(truncate(f, maxTextBytes), toks)
	}
	return toks
}

// truncate cuts s to at most n bytes at a rune boundary.
func truncate(s string, n int) string {
	if len(s) <= n {
		return s
	}
	for n > 0 && !utf8.RuneStart(s[n]) {
		n--
	}
	return s[:n]
}

// candidates fetches the indexed phrases that start with a stem of the article.
func (a *Alerts) candidates(ctx context.Context, toks []string) ([]string, error) {
	uniq := make(map[string]bool, len(toks))
	pipe := a.st.R.Pipeline()
	var cmds []*redis.StringSliceCmd
	for _, t := range toks {
		if t == blocker || uniq[t] {
			continue
		}
		uniq[t] = true
		cmds = append(cmds, pipe.SMembers(ctx, a.firstKey(t)))
	}
	if len(cmds) == 0 {
		return nil, nil
	}
	if _, err := pipe.Exec(ctx); err != nil {
		return nil, fmt.Errorf("read first-stem index: %w", err)
	}
	var out []string
	for _, c := range cmds {
		out = append(out, c.Val()...)
	}
	return out, nil
}

// mentioned keeps the normalized phrases whose stems occur as consecutive
// tokens of toks.
func mentioned(toks, phrases []string) []string {
	if len(phrases) == 0 {
		return nil
	}
	at := make(map[string][]int, len(toks))
	for i, t := range toks {
		at[t] = append(at[t], i)
	}
	var out []string
	for _, p := range phrases {
		stems := strings.Split(p, " ")
		for _, i := range at[stems[0]] {
			if consecutive(toks[i:], stems) {
				out = append(out, p)
				break
			}
		}
	}
	return out
}

// consecutive tells whether toks starts with stems.
func consecutive(toks, stems []string) bool {
	if len(toks) < len(stems) {
		return false
	}
	for j, s := range stems {
		if toks[j] != s {
			return false
		}
	}
	return true
}

// chatsOf reads who follows and who mutes each matched phrase.
func (a *Alerts) chatsOf(ctx context.Context, norms []string) (Result, error) {
	res := Result{Follows: map[int64][]string{}, Muted: map[int64]bool{}}
	if len(norms) == 0 {
		return res, nil
	}
	pipe := a.st.R.Pipeline()
	fol := make([]*redis.MapStringStringCmd, len(norms))
	mut := make([]*redis.StringSliceCmd, len(norms))
	for i, n := range norms {
		fol[i] = pipe.HGetAll(ctx, a.phraseKey(follows, n))
		mut[i] = pipe.HKeys(ctx, a.phraseKey(mutes, n))
	}
	if _, err := pipe.Exec(ctx); err != nil {
		return Result{}, fmt.Errorf("read chats of %d phrases: %w", len(norms), err)
	}
	for i := range norms {
		for field, typed := range fol[i].Val() {
			if id, err := strconv.ParseInt(field, 10, 64); err == nil {
				res.Follows[id] = append(res.Follows[id], typed)
			}
		}
		for _, field := range mut[i].Val() {
			if id, err := strconv.ParseInt(field, 10, 64); err == nil {
				res.Muted[id] = true
			}
		}
	}
	for _, ps := range res.Follows {
		sort.Strings(ps)
	}
	return res, nil
}

// Recipients gives the chats an article goes to, each once and in ascending
// order: the followers of its sections minus the chats that muted a phrase
// it mentions, plus every chat whose follows it mentions. A follow wins over
// a mute: the chat asked for this word explicitly.
func Recipients(sectionFollowers []int64, r Result) []int64 {
	seen := make(map[int64]bool, len(sectionFollowers)+len(r.Follows))
	out := make([]int64, 0, len(sectionFollowers)+len(r.Follows))
	for _, id := range sectionFollowers {
		if !seen[id] && !r.Muted[id] {
			seen[id] = true
			out = append(out, id)
		}
	}
	for id := range r.Follows {
		if !seen[id] {
			seen[id] = true
			out = append(out, id)
		}
	}
	sort.Slice(out, func(i, j int) bool { return out[i] < out[j] })
	return out
}
