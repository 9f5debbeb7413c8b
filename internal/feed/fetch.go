package feed

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
)

// ErrTooLarge is returned when a feed body exceeds Config.MaxBytes.
var ErrTooLarge = errors.New("feed body exceeds the size limit")

// StatusError is a feed answer other than 200 or 304.
type StatusError struct{ Code int }

func (e *StatusError) Error() string { return fmt.Sprintf("HTTP status %d", e.Code) }

// fetched is one answer of a feed server.
type fetched struct {
	NotModified        bool
	Status             int
	Body               []byte // as sent: not yet decoded to UTF-8
	ContentType        string
	ETag, LastModified string
}

// fetch makes a conditional GET of url within the timeout, body included.
func (in *Ingester) fetch(ctx context.Context, url, etag, lastModified string) (fetched, error) {
	ctx, cancel := context.WithTimeout(ctx, in.cfg.Timeout)
	defer cancel()
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, url, nil)
	if err != nil {
		return fetched{}, fmt.Errorf("feed: fetch %s: %w", url, err)
	}
	req.Header.Set("User-Agent", in.cfg.UserAgent)
	req.Header.Set("Accept", "application/rss+xml, application/atom+xml, application/xml;q=0.9, text/xml;q=0.9, */*;q=0.5")
	if etag != "" {
		req.Header.Set("If-None-Match", etag)
	}
	if lastModified != "" {
		req.Header.Set("If-Modified-Since", lastModified)
	}
	resp, err := in.cfg.HTTP.Do(req)
	if err != nil {
		return fetched{}, fmt.Errorf("feed: fetch %s: %w", url, err)
	}
	defer resp.Body.Close()
	f := fetched{Status: resp.StatusCode, ContentType: resp.Header.Get("Content-Type"),
		ETag: resp.Header.Get("ETag"), LastModified: resp.Header.Get("Last-Modified")}
	switch resp.StatusCode {
	case http.StatusOK:
	case http.StatusNotModified:
		f.NotModified = true
		return f, nil
	default:
		return f, fmt.Errorf("feed: fetch %s: %w", url, &StatusError{Code: resp.StatusCode})
	}
	// One byte more than allowed tells "exactly at the limit" from "too large";
	// the transport un-gzips first, so the cap also stops compression bombs.
	f.Body, err = io.ReadAll(io.LimitReader(resp.Body, in.cfg.MaxBytes+1))
	if err != nil {
		return f, fmt.Errorf("feed: read %s: %w", url, err)
	}
	if int64(len(f.Body)) > in.cfg.MaxBytes {
		return f, fmt.Errorf("feed: read %s: %w (%d bytes)", url, ErrTooLarge, in.cfg.MaxBytes)
	}
	return f, nil
}
