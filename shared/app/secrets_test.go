package app_test

import (
	"os"
	"slices"
	"strings"
	"testing"

	"gopkg.in/yaml.v3"

	"github.com/wentitong/wentitong/shared/app"
	"github.com/wentitong/wentitong/shared/config"
	"github.com/wentitong/wentitong/shared/sam"
)

// functionSecrets reads, from template.yaml, what each function is given of the secrets:
// the variables set to a secret's reference (VARIABLE_ARN: !Ref <secret>), and the
// secrets its policies let it read.
type functionSecrets struct {
	refs     map[string]string // variable → logical id of the secret its _ARN names
	readable []string          // logical ids of the secrets its policies grant
	actions  []string          // every secretsmanager action its policies grant
}

func templateSecrets(t *testing.T) (map[string]functionSecrets, map[string]string) {
	t.Helper()
	tmpl, err := sam.LoadDefault()
	if err != nil {
		t.Fatal(err)
	}
	secretNames := map[string]string{} // logical id → its Name
	out := map[string]functionSecrets{}
	for id, r := range tmpl.Resources {
		switch r.Type {
		case "AWS::SecretsManager::Secret":
			var p struct {
				Name yaml.Node `yaml:"Name"`
			}
			if err := r.Properties.Decode(&p); err != nil {
				t.Fatal(err)
			}
			secretNames[id] = p.Name.Value
		case "AWS::Serverless::Function":
			var p struct {
				Environment struct {
					Variables map[string]yaml.Node `yaml:"Variables"`
				} `yaml:"Environment"`
				Policies []struct {
					Statement []struct {
						Action   yaml.Node `yaml:"Action"`
						Resource yaml.Node `yaml:"Resource"`
					} `yaml:"Statement"`
				} `yaml:"Policies"`
			}
			if err := r.Properties.Decode(&p); err != nil {
				t.Fatal(err)
			}
			fs := functionSecrets{refs: map[string]string{}}
			for k, v := range p.Environment.Variables {
				if v.Tag == "!Ref" && strings.HasSuffix(k, "_ARN") {
					fs.refs[strings.TrimSuffix(k, "_ARN")] = v.Value
				}
			}
			for _, pol := range p.Policies {
				for _, st := range pol.Statement {
					actions := scalars(st.Action)
					if !slices.ContainsFunc(actions, func(a string) bool { return strings.HasPrefix(a, "secretsmanager:") }) {
						continue
					}
					fs.actions = append(fs.actions, actions...)
					for _, n := range nodes(st.Resource) {
						if n.Tag != "!Ref" {
							t.Errorf("%s grants secretsmanager on %q, want only !Ref of the stack's secrets", id, n.Value)
						}
						fs.readable = append(fs.readable, n.Value)
					}
				}
			}
			out[id] = fs
		}
	}
	return out, secretNames
}

func nodes(n yaml.Node) []*yaml.Node {
	if n.Kind == yaml.SequenceNode {
		return n.Content
	}
	return []*yaml.Node{&n}
}

func scalars(n yaml.Node) []string {
	var out []string
	for _, c := range nodes(n) {
		out = append(out, c.Value)
	}
	return out
}

// Each function is given the references of exactly the secrets its Needs name, each to
// the stack's secret of that variable, and may read exactly those: GetSecretValue on
// them and nothing else of Secrets Manager. No secret is resolved into the environment
// at deploy time, where anyone allowed to read the function's configuration reads it.
func TestEachFunctionReadsOnlyItsSecrets(t *testing.T) {
	fns, secretNames := templateSecrets(t)
	b, err := os.ReadFile("../../" + sam.FileName)
	if err != nil {
		t.Fatal(err)
	}
	if strings.Contains(string(b), "{{resolve:secretsmanager") {
		t.Error("template.yaml resolves a secret into a function's environment at deploy time")
	}
	for _, v := range config.Secrets {
		found := false
		for _, name := range secretNames {
			found = found || name == "wentitong/${Stage}/"+v
		}
		if !found {
			t.Errorf("template.yaml has no secret named wentitong/${Stage}/%s", v)
		}
	}
	if len(fns) != len(app.Needs) {
		t.Errorf("template.yaml has %d functions, app.Needs %d", len(fns), len(app.Needs))
	}
	for id, fs := range fns {
		needs := app.Needs[id]
		var refs []string
		for v, secret := range fs.refs {
			refs = append(refs, v)
			if want := "wentitong/${Stage}/" + v; secretNames[secret] != want {
				t.Errorf("%s: %s_ARN names %s (%q), want the secret %s", id, v, secret, secretNames[secret], want)
			}
		}
		slices.Sort(refs)
		want := slices.Sorted(slices.Values(needs.Secrets()))
		if !slices.Equal(refs, want) {
			t.Errorf("%s is given the secrets %v, its Needs name %v", id, refs, want)
		}
		var grantWant []string
		for _, v := range want {
			grantWant = append(grantWant, fs.refs[v])
		}
		slices.Sort(grantWant)
		if got := slices.Sorted(slices.Values(fs.readable)); !slices.Equal(got, grantWant) {
			t.Errorf("%s may read the secrets %v, want exactly %v", id, got, grantWant)
		}
		for _, a := range fs.actions {
			if a != "secretsmanager:GetSecretValue" {
				t.Errorf("%s is granted %s, want only secretsmanager:GetSecretValue", id, a)
			}
		}
	}
}
