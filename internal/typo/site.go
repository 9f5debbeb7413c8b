package typo

import (
	"encoding/json"
	"errors"
	"math"
	"net"
	"net/http"
	"net/netip"
	"strconv"
	"strings"
)

// corsMaxAgeSeconds lets a browser reuse a preflight for a day.
const corsMaxAgeSeconds = "86400"

// SiteOptions configures the site's endpoint.
type SiteOptions struct {
	AllowedOrigins []string // TYPO_ALLOWED_ORIGINS; "*" allows any; empty: no CORS
	TrustProxy     bool     // TRUST_PROXY: take the client IP from X-Forwarded-For
}

// SiteHandler serves POST /api/typo (JSON or a form) and its CORS
// preflight. Register it for the path with any method: it answers 405 itself.
func (s *Service) SiteHandler(o SiteOptions) http.Handler {
	h := &siteHandler{svc: s, trustProxy: o.TrustProxy, origins: map[string]bool{}}
	for _, v := range o.AllowedOrigins {
		if v = normOrigin(v); v == "*" {
			h.anyOrigin = true
		} else if v != "" {
			h.origins[v] = true
		}
	}
	return h
}

type siteHandler struct {
	svc        *Service
	origins    map[string]bool
	anyOrigin  bool
	trustProxy bool
}

// apiError is a refusal: HTTP status, locale text id, the field at fault.
type apiError struct {
	status int
	id     string
	field  string
	data   map[string]any
}

func (h *siteHandler) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	lang := h.svc.Texts.Pick(firstLang(r.Header.Get("Accept-Language")))
	w.Header().Set("X-Content-Type-Options", "nosniff")
	if r.Method != http.MethodPost && r.Method != http.MethodOptions {
		w.Header().Set("Allow", "POST, OPTIONS")
		h.fail(w, lang, &apiError{status: http.StatusMethodNotAllowed, id: "typo_err_method"})
		return
	}
	allow, ok := h.origin(r)
	if !h.anyOrigin && len(h.origins) > 0 {
		w.Header().Add("Vary", "Origin")
	}
	if !ok {
		h.fail(w, lang, &apiError{status: http.StatusForbidden, id: "typo_err_origin"})
		return
	}
	if allow != "" {
		w.Header().Set("Access-Control-Allow-Origin", allow)
	}
	if r.Method == http.MethodOptions {
		h.preflight(w, allow)
		return
	}
	h.post(w, r, lang)
}

func (h *siteHandler) preflight(w http.ResponseWriter, allow string) {
	w.Header().Set("Allow", "POST, OPTIONS")
	if allow != "" {
		w.Header().Set("Access-Control-Allow-Methods", "POST")
		w.Header().Set("Access-Control-Allow-Headers", "Content-Type")
		w.Header().Set("Access-Control-Max-Age", corsMaxAgeSeconds)
	}
	w.WriteHeader(http.StatusNoContent)
}

func (h *siteHandler) post(w http.ResponseWriter, r *http.Request, lang string) {
	in, aerr := readInput(w, r)
	if aerr != nil {
		h.fail(w, lang, aerr)
		return
	}
	rep, aerr := in.report()
	if aerr != nil {
		h.fail(w, lang, aerr)
		return
	}
	rep.Reporter.IP = h.clientIP(r)
	ctx := r.Context()
	err := h.svc.allow(ctx, "ip:"+ipBucket(rep.Reporter.IP), siteLimit)
	if err == nil {
		rep, err = h.svc.submit(ctx, rep, h.svc.dupKey(SourceSite, rep.URL, rep.Fragment), SiteDuplicateTTL)
	}
	h.answer(w, lang, rep, err)
}

// answer turns the outcome of a submission into the response.
func (h *siteHandler) answer(w http.ResponseWriter, lang string, rep Report, err error) {
	var rl *RateLimitedError
	var dup *DuplicateError
	switch {
	case err == nil:
		writeJSON(w, http.StatusAccepted, map[string]string{"id": strconv.FormatInt(rep.ID, 10), "status": "accepted"})
	case errors.As(err, &dup):
		writeJSON(w, http.StatusOK, map[string]string{"id": strconv.FormatInt(dup.ID, 10), "status": "already_reported"})
	case errors.As(err, &rl):
		w.Header().Set("Retry-After", strconv.Itoa(int(math.Ceil(max(rl.RetryAfter.Seconds(), 1)))))
		h.fail(w, lang, &apiError{status: http.StatusTooManyRequests, id: "typo_err_rate"})
	default:
		h.svc.cfg.Log.Error("typo: site report not taken", "err", err)
		h.fail(w, lang, &apiError{status: http.StatusInternalServerError, id: "typo_err_internal"})
	}
}

func (h *siteHandler) fail(w http.ResponseWriter, lang string, e *apiError) {
	body := map[string]string{"error": h.svc.Texts.T(lang, e.id, e.data)}
	if e.field != "" {
		body["field"] = e.field
	}
	writeJSON(w, e.status, body)
}

func writeJSON(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json; charset=utf-8")
	w.Header().Set("Cache-Control", "no-store")
	w.WriteHeader(status)
	_ = json.NewEncoder(w).Encode(v)
}

// origin decides about a request's Origin: ok, and the value of
// Access-Control-Allow-Origin ("" when no CORS header is due).
func (h *siteHandler) origin(r *http.Request) (string, bool) {
	o := r.Header.Get("Origin")
	switch {
	case o == "":
		return "", true // not a browser's cross-site request
	case h.anyOrigin:
		return "*", true
	case h.origins[normOrigin(o)]:
		return o, true
	}
	// A page of the bot's own host (the site proxying /api/typo) needs no CORS.
	if i := strings.Index(o, "://"); i > 0 && strings.EqualFold(o[i+3:], r.Host) {
		return "", true
	}
	return "", false
}

func normOrigin(o string) string {
	return strings.ToLower(strings.TrimRight(strings.TrimSpace(o), "/"))
}

// clientIP is the peer's address; behind our own proxy (TrustProxy) the
// right-most X-Forwarded-For entry, the one our proxy added: entries to
// its left are whatever the client wrote.
func (h *siteHandler) clientIP(r *http.Request) string {
	host, _, err := net.SplitHostPort(r.RemoteAddr)
	if err != nil {
		host = r.RemoteAddr
	}
	if xff := r.Header.Values("X-Forwarded-For"); h.trustProxy && len(xff) > 0 {
		parts := strings.Split(xff[len(xff)-1], ",")
		if a, err := netip.ParseAddr(strings.TrimSpace(parts[len(parts)-1])); err == nil {
			host = a.Unmap().String()
		}
	}
	return host
}

// ipBucket is the rate-limit key of an address: IPv6 by /64, since one
// household or phone gets a whole /64.
func ipBucket(ip string) string {
	a, err := netip.ParseAddr(ip)
	if err != nil {
		return ip
	}
	if a = a.Unmap(); a.Is4() {
		return a.String()
	}
	p, _ := a.Prefix(64)
	return p.String()
}

// firstLang is the first tag of an Accept-Language header.
func firstLang(h string) string {
	first, _, _ := strings.Cut(h, ",")
	tag, _, _ := strings.Cut(first, ";")
	return strings.TrimSpace(tag)
}
