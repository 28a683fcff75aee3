package dynamotest

import (
	"encoding/json"
	"fmt"

	"github.com/aws/aws-lambda-go/events"
)

// Filter is a Lambda event filter pattern (FilterCriteria.Filters[].Pattern) for
// DynamoDB stream records: a JSON object whose leaves are lists of what a field may be —
// a string, {"prefix": "…"} or {"exists": true|false}. The local stream applies the
// patterns template.yaml declares, so a consumer sees locally what it would see on AWS
// (as far as keys and event names go: local records carry no images).
type Filter struct{ pattern map[string]any }

// ParseFilter parses a pattern; it fails on what Filter does not support, so that a
// pattern the local stream would misread is noticed.
func ParseFilter(pattern string) (Filter, error) {
	var p map[string]any
	if err := json.Unmarshal([]byte(pattern), &p); err != nil {
		return Filter{}, fmt.Errorf("filter pattern %s: %w", pattern, err)
	}
	if err := check(p); err != nil {
		return Filter{}, fmt.Errorf("filter pattern %s: %w", pattern, err)
	}
	return Filter{p}, nil
}

func check(p map[string]any) error {
	for k, v := range p {
		switch v := v.(type) {
		case map[string]any:
			if err := check(v); err != nil {
				return err
			}
		case []any:
			for _, alt := range v {
				switch alt := alt.(type) {
				case string:
				case map[string]any:
					if len(alt) != 1 {
						return fmt.Errorf("field %s: one operator per entry", k)
					}
					if s, ok := alt["prefix"].(string); ok && s != "" {
						continue
					}
					if _, ok := alt["exists"].(bool); ok {
						continue
					}
					return fmt.Errorf("field %s: only strings, prefix and exists are supported, got %v", k, alt)
				default:
					return fmt.Errorf("field %s: only strings, prefix and exists are supported, got %v", k, alt)
				}
			}
		default:
			return fmt.Errorf("field %s: want an object or a list", k)
		}
	}
	return nil
}

// Matches reports whether the record matches any of the filters; no filters match
// every record.
func Matches(filters []Filter, rec events.DynamoDBEventRecord) bool {
	if len(filters) == 0 {
		return true
	}
	b, err := json.Marshal(rec)
	if err != nil {
		return false
	}
	var doc map[string]any
	if json.Unmarshal(b, &doc) != nil {
		return false
	}
	for _, f := range filters {
		if match(f.pattern, doc) {
			return true
		}
	}
	return false
}

func match(p map[string]any, doc map[string]any) bool {
	for k, want := range p {
		got, present := doc[k]
		switch want := want.(type) {
		case map[string]any:
			sub, ok := got.(map[string]any)
			if !ok || !match(want, sub) {
				return false
			}
		case []any:
			if !matchLeaf(want, got, present) {
				return false
			}
		}
	}
	return true
}

func matchLeaf(alts []any, got any, present bool) bool {
	s, isString := got.(string)
	for _, alt := range alts {
		switch alt := alt.(type) {
		case string:
			if isString && s == alt {
				return true
			}
		case map[string]any:
			if prefix, ok := alt["prefix"].(string); ok && isString && len(s) >= len(prefix) && s[:len(prefix)] == prefix {
				return true
			}
			if exists, ok := alt["exists"].(bool); ok && exists == present {
				return true
			}
		}
	}
	return false
}
