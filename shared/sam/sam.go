// Package sam reads template.yaml, the only definition of the platform's functions, routes
// and table, so that the local runner and the tests cannot drift from production.
package sam

import (
	"cmp"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"sort"

	"gopkg.in/yaml.v3"

	"github.com/wentitong/wentitong"
)

// FileName is the template's name at the module root.
const FileName = "template.yaml"

// Template is the part of a SAM template the platform reads.
type Template struct {
	Globals struct {
		Function functionProps `yaml:"Function"`
	} `yaml:"Globals"`
	Resources map[string]Resource `yaml:"Resources"`
}

// Resource is one entry under Resources.
type Resource struct {
	Type       string    `yaml:"Type"`
	Properties yaml.Node `yaml:"Properties"`
}

// Route is one HttpApi event of a function: Method and Path as API Gateway sees them
// ("GET", "/api/v1/slots/{id}/bookings"), which is also an http.ServeMux pattern.
type Route struct {
	Function string // the function's logical id, e.g. "WeChatFunction"
	Event    string // the event's name, e.g. "Verify"
	Method   string
	Path     string
}

// Pattern is the route as an http.ServeMux pattern: "GET /wechat".
func (r Route) Pattern() string { return r.Method + " " + r.Path }

// Function is an AWS::Serverless::Function.
type Function struct {
	LogicalID string
	CodeURI   string // e.g. "functions/wechat/"
	Routes    []Route
	// EventTypes lists the types of the function's events ("HttpApi", "DynamoDB", "Schedule").
	EventTypes []string
	// Variables names the environment variables the function gets (its own and the
	// Globals', sorted); their values are mostly intrinsic functions, so only names are read.
	Variables []string
	// Timeout (seconds) and MemorySize (MB), the Globals' unless the function sets them.
	Timeout, MemorySize int
	// StreamFilters are the event filter patterns of its DynamoDB stream events
	// (FilterCriteria.Filters[].Pattern), which the local stream applies too.
	StreamFilters []string
	// StreamBatchSize is the BatchSize of its DynamoDB stream event (0 when none).
	StreamBatchSize int
	// ReservedConcurrency is its ReservedConcurrentExecutions: the concurrency kept for
	// it and its ceiling (0 when it shares the account's unreserved pool).
	ReservedConcurrency int
}

// Load parses the template at path.
func Load(path string) (*Template, error) {
	b, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("read template: %w", err)
	}
	return parse(b, path)
}

func parse(b []byte, name string) (*Template, error) {
	var t Template
	if err := yaml.Unmarshal(b, &t); err != nil {
		return nil, fmt.Errorf("parse template %s: %w", name, err)
	}
	return &t, nil
}

// Find returns the path of template.yaml in the working directory or the nearest parent
// that has one (tests run in their package's directory), for tools that need the
// project's files beside it.
func Find() (string, error) {
	dir, err := os.Getwd()
	if err != nil {
		return "", err
	}
	for {
		p := filepath.Join(dir, FileName)
		if _, err := os.Stat(p); err == nil {
			return p, nil
		}
		parent := filepath.Dir(dir)
		if parent == dir {
			return "", errors.New("template.yaml not found in the working directory or its parents")
		}
		dir = parent
	}
}

// LoadDefault parses the project's template as it was built into the program, so that
// it needs no template.yaml in the working directory or its parents.
func LoadDefault() (*Template, error) { return parse(wentitong.Template, FileName+" (embedded)") }

// DefaultFunctions returns the functions of the project's template (LoadDefault), as
// Functions does.
func DefaultFunctions() ([]Function, error) {
	t, err := LoadDefault()
	if err != nil {
		return nil, err
	}
	return t.Functions()
}

type functionProps struct {
	CodeURI     string `yaml:"CodeUri"`
	Timeout     int    `yaml:"Timeout"`
	MemorySize  int    `yaml:"MemorySize"`
	Reserved    int    `yaml:"ReservedConcurrentExecutions"`
	Environment struct {
		Variables map[string]yaml.Node `yaml:"Variables"`
	} `yaml:"Environment"`
	Events map[string]struct {
		Type       string `yaml:"Type"`
		Properties struct {
			Path           string `yaml:"Path"`
			Method         string `yaml:"Method"`
			BatchSize      int    `yaml:"BatchSize"`
			FilterCriteria struct {
				Filters []struct {
					Pattern string `yaml:"Pattern"`
				} `yaml:"Filters"`
			} `yaml:"FilterCriteria"`
		} `yaml:"Properties"`
	} `yaml:"Events"`
}

// Functions returns the template's functions sorted by logical id, with their routes
// sorted by path and method.
func (t *Template) Functions() ([]Function, error) {
	var fns []Function
	for id, r := range t.Resources {
		if r.Type != "AWS::Serverless::Function" {
			continue
		}
		var p functionProps
		if err := r.Properties.Decode(&p); err != nil {
			return nil, fmt.Errorf("function %s: %w", id, err)
		}
		g := t.Globals.Function
		fn := Function{LogicalID: id, CodeURI: p.CodeURI, Timeout: cmp.Or(p.Timeout, g.Timeout), MemorySize: cmp.Or(p.MemorySize, g.MemorySize), ReservedConcurrency: p.Reserved}
		for _, vars := range []map[string]yaml.Node{g.Environment.Variables, p.Environment.Variables} {
			for name := range vars {
				if !slices.Contains(fn.Variables, name) {
					fn.Variables = append(fn.Variables, name)
				}
			}
		}
		slices.Sort(fn.Variables)
		for name, ev := range p.Events {
			fn.EventTypes = append(fn.EventTypes, ev.Type)
			if ev.Type == "DynamoDB" {
				fn.StreamBatchSize = ev.Properties.BatchSize
				for _, f := range ev.Properties.FilterCriteria.Filters {
					fn.StreamFilters = append(fn.StreamFilters, f.Pattern)
				}
			}
			if ev.Type != "HttpApi" {
				continue
			}
			if ev.Properties.Path == "" || ev.Properties.Method == "" {
				return nil, fmt.Errorf("function %s event %s: HttpApi events need Path and Method", id, name)
			}
			fn.Routes = append(fn.Routes, Route{Function: id, Event: name, Method: ev.Properties.Method, Path: ev.Properties.Path})
		}
		sort.Strings(fn.EventTypes)
		sort.Slice(fn.Routes, func(i, j int) bool {
			a, b := fn.Routes[i], fn.Routes[j]
			return a.Path < b.Path || a.Path == b.Path && a.Method < b.Method
		})
		fns = append(fns, fn)
	}
	sort.Slice(fns, func(i, j int) bool { return fns[i].LogicalID < fns[j].LogicalID })
	return fns, nil
}

// Function returns the function with the logical id.
func (t *Template) Function(logicalID string) (Function, error) {
	fns, err := t.Functions()
	if err != nil {
		return Function{}, err
	}
	for _, fn := range fns {
		if fn.LogicalID == logicalID {
			return fn, nil
		}
	}
	return Function{}, fmt.Errorf("template has no function %s", logicalID)
}

// Routes returns every HttpApi route of every function.
func (t *Template) Routes() ([]Route, error) {
	fns, err := t.Functions()
	if err != nil {
		return nil, err
	}
	var routes []Route
	for _, fn := range fns {
		routes = append(routes, fn.Routes...)
	}
	return routes, nil
}

// Throttle is an HTTP API route's token bucket: requests per second and burst.
type Throttle struct {
	Burst int     `yaml:"ThrottlingBurstLimit"`
	Rate  float64 `yaml:"ThrottlingRateLimit"`
}

// RouteThrottles returns the throttle of every route of the HttpApi resource apiID, keyed
// by route pattern ("POST /wechat"): the route's own RouteSettings where it has them, the
// DefaultRouteSettings otherwise. It also returns the patterns of RouteSettings that
// name no route, which API Gateway would silently ignore.
func (t *Template) RouteThrottles(apiID string) (map[string]Throttle, []string, error) {
	r, ok := t.Resources[apiID]
	if !ok || r.Type != "AWS::Serverless::HttpApi" {
		return nil, nil, fmt.Errorf("template has no HttpApi %s", apiID)
	}
	var p struct {
		Default Throttle            `yaml:"DefaultRouteSettings"`
		Routes  map[string]Throttle `yaml:"RouteSettings"`
	}
	if err := r.Properties.Decode(&p); err != nil {
		return nil, nil, fmt.Errorf("http api %s: %w", apiID, err)
	}
	routes, err := t.Routes()
	if err != nil {
		return nil, nil, err
	}
	out := make(map[string]Throttle, len(routes))
	for _, rt := range routes {
		th, ok := p.Routes[rt.Pattern()]
		if !ok {
			th = p.Default
		}
		out[rt.Pattern()] = th
	}
	var unknown []string
	for pattern := range p.Routes {
		if _, ok := out[pattern]; !ok {
			unknown = append(unknown, pattern)
		}
	}
	sort.Strings(unknown)
	return out, unknown, nil
}

// Table is the key schema, indexes and settings of an AWS::DynamoDB::Table.
type Table struct {
	AttributeDefinitions []struct {
		AttributeName string `yaml:"AttributeName"`
		AttributeType string `yaml:"AttributeType"`
	} `yaml:"AttributeDefinitions"`
	KeySchema              []KeyElement `yaml:"KeySchema"`
	GlobalSecondaryIndexes []struct {
		IndexName  string       `yaml:"IndexName"`
		KeySchema  []KeyElement `yaml:"KeySchema"`
		Projection struct {
			ProjectionType   string   `yaml:"ProjectionType"`
			NonKeyAttributes []string `yaml:"NonKeyAttributes"`
		} `yaml:"Projection"`
	} `yaml:"GlobalSecondaryIndexes"`
	BillingMode         string `yaml:"BillingMode"`
	StreamSpecification struct {
		StreamViewType string `yaml:"StreamViewType"`
	} `yaml:"StreamSpecification"`
	TimeToLiveSpecification struct {
		AttributeName string `yaml:"AttributeName"`
		Enabled       bool   `yaml:"Enabled"`
	} `yaml:"TimeToLiveSpecification"`
}

// KeyElement is one element of a key schema.
type KeyElement struct {
	AttributeName string `yaml:"AttributeName"`
	KeyType       string `yaml:"KeyType"`
}

// Table returns the definition of the AWS::DynamoDB::Table with the given logical id.
func (t *Template) Table(logicalID string) (*Table, error) {
	r, ok := t.Resources[logicalID]
	if !ok || r.Type != "AWS::DynamoDB::Table" {
		return nil, fmt.Errorf("template has no AWS::DynamoDB::Table %q", logicalID)
	}
	var tbl Table
	if err := r.Properties.Decode(&tbl); err != nil {
		return nil, fmt.Errorf("table %s: %w", logicalID, err)
	}
	if len(tbl.KeySchema) == 0 {
		return nil, fmt.Errorf("table %s has no KeySchema", logicalID)
	}
	return &tbl, nil
}
