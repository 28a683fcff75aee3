package sam

import (
	"slices"
	"testing"
)

func TestProjectTemplate(t *testing.T) {
	tmpl, fns := mustDefault(t)
	var ids []string
	for _, fn := range fns {
		ids = append(ids, fn.LogicalID)
		if fn.CodeURI == "" {
			t.Errorf("function %s has no CodeUri", fn.LogicalID)
		}
	}
	for _, want := range []string{"AccountFunction", "NotifierFunction", "SchedulerFunction", "WeChatFunction"} {
		if !slices.Contains(ids, want) {
			t.Errorf("Functions() = %v, want it to contain %s", ids, want)
		}
	}
	for _, fn := range fns {
		if !slices.Contains(fn.Variables, "TABLE_NAME") || fn.Timeout == 0 || fn.MemorySize == 0 {
			t.Errorf("%s: Variables %v, Timeout %d, MemorySize %d; want the Globals' TABLE_NAME, a timeout and a memory size", fn.LogicalID, fn.Variables, fn.Timeout, fn.MemorySize)
		}
		if fn.LogicalID == "WeChatFunction" && (fn.Timeout != 5 || !slices.Contains(fn.Variables, "WECHAT_TOKEN_ARN")) {
			t.Errorf("WeChatFunction: Timeout %d, Variables %v; want its own 5 s and WECHAT_TOKEN_ARN (the token is read from Secrets Manager)", fn.Timeout, fn.Variables)
		}
	}
	routes, err := tmpl.Routes()
	if err != nil {
		t.Fatal(err)
	}
	var patterns []string
	for _, r := range routes {
		patterns = append(patterns, r.Pattern())
	}
	for _, want := range []string{"GET /wechat", "POST /wechat", "POST /api/v1/auth/wechat"} {
		if !slices.Contains(patterns, want) {
			t.Errorf("Routes() = %v, want it to contain %q", patterns, want)
		}
	}
	tbl, err := tmpl.Table("Table")
	if err != nil {
		t.Fatal(err)
	}
	if got := tbl.KeySchema; len(got) != 2 || got[0].AttributeName != "PK" || got[1].AttributeName != "SK" {
		t.Errorf("Table KeySchema = %v, want PK HASH, SK RANGE", got)
	}
	if tbl.TimeToLiveSpecification.AttributeName == "" || !tbl.TimeToLiveSpecification.Enabled {
		t.Errorf("Table TTL = %+v, want an enabled TTL attribute", tbl.TimeToLiveSpecification)
	}
	if tbl.StreamSpecification.StreamViewType != "NEW_AND_OLD_IMAGES" {
		t.Errorf("StreamViewType = %q, want NEW_AND_OLD_IMAGES", tbl.StreamSpecification.StreamViewType)
	}
}

func TestFunctionsRejectsRouteWithoutPath(t *testing.T) {
	tmpl := mustParse(t, `
Resources:
  F:
    Type: AWS::Serverless::Function
    Properties:
      CodeUri: functions/f/
      Events:
        E:
          Type: HttpApi
          Properties:
            Method: GET
`)
	if _, err := tmpl.Functions(); err == nil {
		t.Fatal("Functions() = nil error for an HttpApi event without Path, want an error")
	}
}

func TestTableMissing(t *testing.T) {
	tmpl := mustParse(t, "Resources:\n  Q:\n    Type: AWS::SQS::Queue\n")
	if _, err := tmpl.Table("Q"); err == nil {
		t.Fatal("Table(Q) = nil error for a queue, want an error")
	}
}

// The template is built into the program: it loads from a directory far from the project.
func TestLoadDefaultOutsideTheProject(t *testing.T) {
	t.Chdir(t.TempDir())
	if _, err := Find(); err == nil {
		t.Skip("a template.yaml is above the temporary directory")
	}
	tmpl, err := LoadDefault()
	if err != nil {
		t.Fatalf("LoadDefault outside the project: %v", err)
	}
	if _, err := tmpl.Table("Table"); err != nil {
		t.Errorf("embedded template has no table: %v", err)
	}
}
