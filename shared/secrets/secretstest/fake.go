// Package secretstest is a fake AWS Secrets Manager: the GetSecretValue and
// PutSecretValue calls of the JSON protocol, in memory, for the local runner, the tests
// and the smoke test, which reach it through the real SDK client (secrets.New with its
// URL). It tells callers apart by the access key id their requests are signed with, and
// may hold each to a policy (Allow), as IAM holds each function to its own.
package secretstest

import (
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"slices"
	"strconv"
	"strings"
	"sync"
	"testing"
)

// Store holds secrets by name, each with the number of times it was read.
type Store struct {
	mu      sync.Mutex
	values  map[string]string
	version map[string]int
	reads   map[string]int
	readBy  map[string]map[string]bool // caller → names it read
	allowed map[string][]string        // caller → the names it may read; absent: any
}

// NewStore returns an empty store.
func NewStore() *Store {
	return &Store{values: map[string]string{}, version: map[string]int{}, reads: map[string]int{},
		readBy: map[string]map[string]bool{}, allowed: map[string][]string{}}
}

// Allow lets caller (the access key id its requests are signed with) read only the
// secrets names; any other read is refused with AccessDeniedException, as IAM refuses
// a function a secret its policy does not grant.
func (s *Store) Allow(caller string, names ...string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.allowed[caller] = append(s.allowed[caller], names...)
}

// ReadBy returns the names of the secrets caller has read, sorted.
func (s *Store) ReadBy(caller string) []string {
	s.mu.Lock()
	defer s.mu.Unlock()
	var out []string
	for n := range s.readBy[caller] {
		out = append(out, n)
	}
	slices.Sort(out)
	return out
}

// ARN is the ARN the fake gives the secret name.
func ARN(name string) string {
	return "arn:aws:secretsmanager:us-east-1:000000000000:secret:" + name + "-fake00"
}

// Put sets a secret's value (a new version, as a rotation makes).
func (s *Store) Put(name, value string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.values[name] = value
	s.version[name]++
}

// Reads returns how many times the secret was read.
func (s *Store) Reads(name string) int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.reads[name]
}

// name resolves a SecretId: a name, or an ARN of the fake's.
func name(id string) string {
	if rest, ok := strings.CutPrefix(id, "arn:aws:secretsmanager:us-east-1:000000000000:secret:"); ok {
		return strings.TrimSuffix(rest, "-fake00")
	}
	return id
}

// ServeHTTP answers the JSON protocol's GetSecretValue and PutSecretValue.
func (s *Store) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	var in struct{ SecretId, SecretString string }
	if err := json.NewDecoder(r.Body).Decode(&in); err != nil {
		fail(w, "InvalidRequestException", "malformed request")
		return
	}
	n := name(in.SecretId)
	by := caller(r)
	s.mu.Lock()
	defer s.mu.Unlock()
	switch r.Header.Get("X-Amz-Target") {
	case "secretsmanager.GetSecretValue":
		if allowed, ok := s.allowed[by]; ok && !slices.Contains(allowed, n) {
			fail(w, "AccessDeniedException", by+" is not authorized to perform: secretsmanager:GetSecretValue on "+n)
			return
		}
		v, ok := s.values[n]
		if !ok {
			fail(w, "ResourceNotFoundException", "Secrets Manager can't find the specified secret.")
			return
		}
		s.reads[n]++
		if s.readBy[by] == nil {
			s.readBy[by] = map[string]bool{}
		}
		s.readBy[by][n] = true
		answer(w, map[string]any{"ARN": ARN(n), "Name": n, "SecretString": v,
			"VersionId": "v" + strconv.Itoa(s.version[n]), "VersionStages": []string{"AWSCURRENT"}})
	case "secretsmanager.PutSecretValue":
		if _, ok := s.values[n]; !ok {
			fail(w, "ResourceNotFoundException", "Secrets Manager can't find the specified secret.")
			return
		}
		s.values[n] = in.SecretString
		s.version[n]++
		answer(w, map[string]any{"ARN": ARN(n), "Name": n, "VersionId": "v" + strconv.Itoa(s.version[n])})
	default:
		fail(w, "UnknownOperationException", "the fake answers GetSecretValue and PutSecretValue only")
	}
}

// caller is the access key id of a request's SigV4 signature
// ("AWS4-HMAC-SHA256 Credential=<id>/<date>/…").
func caller(r *http.Request) string {
	_, cred, _ := strings.Cut(r.Header.Get("Authorization"), "Credential=")
	id, _, _ := strings.Cut(cred, "/")
	return id
}

func answer(w http.ResponseWriter, v any) {
	w.Header().Set("Content-Type", "application/x-amz-json-1.1")
	_ = json.NewEncoder(w).Encode(v)
}

func fail(w http.ResponseWriter, typ, msg string) {
	w.Header().Set("Content-Type", "application/x-amz-json-1.1")
	w.Header().Set("X-Amzn-Errortype", typ)
	w.WriteHeader(http.StatusBadRequest)
	_ = json.NewEncoder(w).Encode(map[string]string{"__type": typ, "message": msg})
}

// Server is the fake on a test HTTP server.
type Server struct {
	*Store
	URL string
}

// NewServer starts a fake Secrets Manager holding values (name → value), closed when
// the test ends.
func NewServer(tb testing.TB, values map[string]string) *Server {
	tb.Helper()
	st := NewStore()
	for k, v := range values {
		st.Put(k, v)
	}
	srv := httptest.NewServer(st)
	tb.Cleanup(srv.Close)
	return &Server{Store: st, URL: srv.URL}
}
