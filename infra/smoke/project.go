package main

import (
	"encoding/json"
	"fmt"
	"os"
	"path"
	"path/filepath"
	"strings"

	"github.com/wentitong/wentitong/shared/sam"
)

// project is what the smoke test reads from the repository: the functions of
// template.yaml with their environment, events/env.json and the sample events.
type project struct {
	Root      string // the module root, where template.yaml is
	Functions []function
	Env       envFile
}

// function is one AWS::Serverless::Function of the template.
type function struct {
	sam.Function
	// Dir is the base name of CodeUri: the function's source is functions/<Dir>, its
	// sample events are events/<Dir>/*.json and its build is <bin>/<Dir>/bootstrap.
	Dir string
}

// EventsDir is where the sample events are, under the module root.
const EventsDir = "events"

// EnvFileName is the SAM --env-vars file under EventsDir.
const EnvFileName = "env.json"

// loadProject reads template.yaml (found from the working directory up) and
// events/env.json.
func loadProject() (*project, error) {
	tmplPath, err := sam.Find()
	if err != nil {
		return nil, err
	}
	p := &project{Root: filepath.Dir(tmplPath)}
	tmpl, err := sam.Load(tmplPath)
	if err != nil {
		return nil, err
	}
	fns, err := tmpl.Functions()
	if err != nil {
		return nil, err
	}
	for _, fn := range fns {
		p.Functions = append(p.Functions, function{Function: fn, Dir: path.Base(strings.TrimSuffix(fn.CodeURI, "/"))})
	}
	p.Env, err = loadEnvFile(filepath.Join(p.Root, EventsDir, EnvFileName))
	if err != nil {
		return nil, err
	}
	return p, nil
}

// functionByDir returns the function whose CodeUri ends in dir.
func (p *project) functionByDir(dir string) (function, bool) {
	for _, fn := range p.Functions {
		if fn.Dir == dir {
			return fn, true
		}
	}
	return function{}, false
}

// envFile is events/env.json in the format of SAM's --env-vars: the "Parameters"
// section applies to every function, and a function's own section (keyed by its
// logical id) overrides it.
type envFile map[string]map[string]string

// ParametersSection is the env.json section that applies to every function.
const ParametersSection = "Parameters"

func loadEnvFile(name string) (envFile, error) {
	b, err := os.ReadFile(name)
	if err != nil {
		return nil, err
	}
	var e envFile
	if err := json.Unmarshal(b, &e); err != nil {
		return nil, fmt.Errorf("parse %s (values must be strings): %w", name, err)
	}
	return e, nil
}

// For returns the variables a function gets: Parameters, overridden by its section.
func (e envFile) For(logicalID string) map[string]string {
	vars := map[string]string{}
	for k, v := range e[ParametersSection] {
		vars[k] = v
	}
	for k, v := range e[logicalID] {
		vars[k] = v
	}
	return vars
}

// Common returns the value every function gets for name, or an error when the
// functions' sections disagree or none sets it.
func (p *project) Common(name string) (string, error) {
	var value string
	for _, fn := range p.Functions {
		v := p.Env.For(fn.LogicalID)[name]
		switch {
		case v == "":
			continue
		case value == "":
			value = v
		case v != value:
			return "", fmt.Errorf("%s: functions disagree on %s", EnvFileName, name)
		}
	}
	if value == "" {
		return "", fmt.Errorf("%s: no function has %s", EnvFileName, name)
	}
	return value, nil
}

// sample is one sample event file.
type sample struct {
	Name string // its path under events/, slash-separated: "wechat/verify.json"
	Body []byte
}

// samples returns the function's sample events, events/<Dir>/*.json, sorted by name.
func (p *project) samples(fn function) ([]sample, error) {
	files, err := filepath.Glob(filepath.Join(p.Root, EventsDir, fn.Dir, "*.json"))
	if err != nil {
		return nil, err
	}
	var out []sample
	for _, f := range files {
		b, err := os.ReadFile(f)
		if err != nil {
			return nil, err
		}
		out = append(out, sample{Name: fn.Dir + "/" + filepath.Base(f), Body: b})
	}
	return out, nil
}
