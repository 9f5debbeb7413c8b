package rates

import (
	"errors"
	"fmt"
	"strconv"
	"strings"
)

// Decimal is an amount of roubles in hundred-millionths (1e-8). Every Central
// Bank figure fits exactly (Value has 4 places; VunitRate up to 8, as in
// 0,00387231 for one Vietnamese dong), so sums and differences carry no
// float noise.
type Decimal int64

const (
	decimalPlaces = 8
	decimalScale  = 100_000_000
	maxIntDigits  = 10 // 10^10 roubles keeps ×1e8 inside int64
)

// ParseDecimal reads "93,2801" (the bank's decimal comma) or "93.2801".
func ParseDecimal(s string) (Decimal, error) {
	s = strings.TrimSpace(s)
	intPart, frac, _ := strings.Cut(strings.Replace(s, ",", ".", 1), ".")
	if intPart == "" || len(intPart) > maxIntDigits || len(frac) > decimalPlaces || !digits(intPart) || !digits(frac) {
		return 0, fmt.Errorf("rates: %q is not a decimal with at most %d places", s, decimalPlaces)
	}
	n, err := strconv.ParseInt(intPart+frac+strings.Repeat("0", decimalPlaces-len(frac)), 10, 64)
	if err != nil {
		return 0, fmt.Errorf("rates: %q: %w", s, err)
	}
	return Decimal(n), nil
}

func digits(s string) bool {
	for _, r := range s {
		if r < '0' || r > '9' {
			return false
		}
	}
	return true
}

// Div divides by a nominal, rounding half away from zero.
func (d Decimal) Div(n int) (Decimal, error) {
	if n <= 0 {
		return 0, errors.New("rates: nominal must be positive")
	}
	q, r := int64(d)/int64(n), int64(d)%int64(n)
	if abs(r)*2 >= int64(n) {
		q += sign(int64(d))
	}
	return Decimal(q), nil
}

// Round gives the amount in units of 10^-places, half away from zero.
func (d Decimal) Round(places int) int64 {
	unit := pow10(decimalPlaces - places)
	q, r := int64(d)/unit, int64(d)%unit
	if abs(r)*2 >= unit {
		q += sign(int64(d))
	}
	return q
}

// Format writes the amount with places decimals and sep as the decimal
// separator («93,28» in Russian, «93.28» in English).
func (d Decimal) Format(places int, sep string) string {
	n := d.Round(places)
	minus := ""
	if n < 0 {
		minus, n = "-", -n
	}
	if places == 0 {
		return minus + strconv.FormatInt(n, 10)
	}
	unit := pow10(places)
	frac := strconv.FormatInt(n%unit, 10)
	return minus + strconv.FormatInt(n/unit, 10) + sep + strings.Repeat("0", places-len(frac)) + frac
}

func pow10(n int) int64 {
	p := int64(1)
	for range n {
		p *= 10
	}
	return p
}

func abs(n int64) int64 {
	if n < 0 {
		return -n
	}
	return n
}

func sign(n int64) int64 {
	if n < 0 {
		return -1
	}
	return 1
}
