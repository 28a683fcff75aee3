package dynamotest

import (
	"bytes"
	"cmp"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"regexp"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/wentitong/wentitong/shared/dynamodev"
	"github.com/wentitong/wentitong/shared/sam"
)

// DynamoDB's per-partition limits, which an item cannot exceed however the table's
// capacity is set (on-demand included): a hot item, or a hot key of a global secondary
// index, is throttled beyond them.
const (
	ItemWriteUnits = 1000 // write capacity units a second
	ItemReadUnits  = 3000 // read capacity units a second
)

// Throttle stands in front of an engine and answers a call with DynamoDB's throttling
// error when it would take one of its items, or one partition key of an index it
// writes, beyond the per-item limits (ItemWriteUnits, ItemReadUnits): the same
// ProvisionedThroughputExceededException the SDK's retryer treats as throttling, or, for
// TransactWriteItems, the TransactionCanceledException whose reason for the hot item is
// ThrottlingError (which the SDK does not retry; dynamo.Transact does). It is off until
// Limit.
//
// Its accounting follows DynamoDB's pricing: a write is 1 unit per KB (Put by the item's
// size, Update, Delete and ConditionCheck 1), twice that in a transaction, and charged to
// the item even when its condition fails; a write also costs each index partition the
// item is in, before or after it, 1 unit per KB when it succeeds (every index projects
// all attributes, so any change rewrites the entry; an index that projects fewer is
// written only when a projected attribute or its key changes). A read is 0.5 unit per
// 4 KB eventually consistent, 1 strongly consistent, 2 in a transaction (a Query by the
// size of what it returned, charged to its partition key). Units are counted in windows
// of Window (100 ms: 100 write units of an item a window) of the call's time, which Clock
// gives: simulated time, when a benchmark stamps its calls, so that a slow engine still
// measures what DynamoDB would allow. A window's budget may be overrun by the call that
// finds it not yet spent, as DynamoDB's burst allows. Batch calls are throttled whole.
type Throttle struct {
	next http.Handler
	// Clock gives the time of a call (from the start of the run); nil: real time since
	// Limit. Set it before the first call.
	Clock func(*http.Request) time.Duration

	hash, rng string
	indexes   []throttleIndex

	mu           sync.Mutex
	on           bool
	write, read  float64 // units per window
	window       time.Duration
	start        time.Time
	used         map[string]map[int64]float64 // by key ("W " or "R " and the item or partition), by window
	inIndex      map[string]map[string]string // by item: index name → its partition key there
	calls        int64
	throttled    int64
	throttledBy  map[string]int64
	maxWindowKey int64
}

type throttleIndex struct {
	name, hash, rng string
	all             bool
	projected       map[string]bool // with all false: the attributes an update must touch to write it
}

// NewThrottle returns a throttle in front of next for the table template.yaml defines
// (its key, its indexes and their projections), off until Limit.
func NewThrottle(next http.Handler) (*Throttle, error) {
	tmpl, err := sam.LoadDefault()
	if err != nil {
		return nil, err
	}
	def, err := tmpl.Table(dynamodev.TableLogicalID)
	if err != nil {
		return nil, err
	}
	in := dynamodev.CreateTableInput(def, "x")
	t := &Throttle{next: next, used: map[string]map[int64]float64{}, inIndex: map[string]map[string]string{}, throttledBy: map[string]int64{}}
	for _, k := range in.KeySchema {
		if k.KeyType == "HASH" {
			t.hash = *k.AttributeName
		} else {
			t.rng = *k.AttributeName
		}
	}
	for _, g := range in.GlobalSecondaryIndexes {
		ix := throttleIndex{name: *g.IndexName, all: g.Projection.ProjectionType == "ALL", projected: map[string]bool{}}
		for _, k := range g.KeySchema {
			if k.KeyType == "HASH" {
				ix.hash = *k.AttributeName
			} else {
				ix.rng = *k.AttributeName
			}
			ix.projected[*k.AttributeName] = true
		}
		for _, a := range g.Projection.NonKeyAttributes {
			ix.projected[a] = true
		}
		t.indexes = append(t.indexes, ix)
	}
	return t, nil
}

// Limit turns the throttle on with writeUnits and readUnits a second for each item and
// index partition (ItemWriteUnits, ItemReadUnits: DynamoDB's), counted in windows of
// window; writeUnits 0 turns it off.
func (t *Throttle) Limit(writeUnits, readUnits float64, window time.Duration) {
	t.mu.Lock()
	defer t.mu.Unlock()
	t.on = writeUnits > 0
	t.window = cmp.Or(window, 100*time.Millisecond)
	t.write, t.read = writeUnits*t.window.Seconds(), readUnits*t.window.Seconds()
	t.start = time.Now()
	clear(t.used)
}

// ThrottleStats are what a throttle saw since it was made.
type ThrottleStats struct {
	Calls, Throttled int64
	// Hottest are the keys that were throttled most, most first, at most five: "W " or
	// "R " (write or read), then "<PK>/<SK>" for an item, "<index> <partition key>" for
	// an index partition or "<PK>" for a Query of the table's partition.
	Hottest []string
}

// Stats returns the calls seen and throttled.
func (t *Throttle) Stats() ThrottleStats {
	t.mu.Lock()
	defer t.mu.Unlock()
	s := ThrottleStats{Calls: t.calls, Throttled: t.throttled}
	for k := range t.throttledBy {
		s.Hottest = append(s.Hottest, k)
	}
	slices.SortFunc(s.Hottest, func(a, b string) int {
		return cmp.Or(cmp.Compare(t.throttledBy[b], t.throttledBy[a]), strings.Compare(a, b))
	})
	for i, k := range s.Hottest[:min(5, len(s.Hottest))] {
		s.Hottest[i] = fmt.Sprintf("%s (%d)", k, t.throttledBy[k])
	}
	s.Hottest = s.Hottest[:min(5, len(s.Hottest))]
	return s
}

// claim is what one part of a call costs one key.
type claim struct {
	key   string // "W …" or "R …"
	units float64
	item  int // the transaction's item it belongs to (its cancellation reason)
}

// wire is the part of a request's JSON the throttle reads.
type wire struct {
	TableName                 string
	IndexName                 string
	Key, Item                 map[string]map[string]any
	ConsistentRead            bool
	KeyConditionExpression    string
	UpdateExpression          string
	ExpressionAttributeNames  map[string]string
	ExpressionAttributeValues map[string]map[string]any
	RequestItems              map[string]json.RawMessage
	TransactItems             []map[string]wire
}

func (t *Throttle) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	t.mu.Lock()
	on := t.on
	t.mu.Unlock()
	op := r.Header.Get("X-Amz-Target")
	op = op[strings.LastIndex(op, ".")+1:]
	if !on {
		t.next.ServeHTTP(w, r)
		return
	}
	body, err := io.ReadAll(r.Body)
	if err != nil {
		http.Error(w, err.Error(), http.StatusBadRequest)
		return
	}
	r.Body = io.NopCloser(bytes.NewReader(body))
	var in wire
	_ = json.Unmarshal(body, &in)
	now := t.now(r)

	t.mu.Lock()
	t.calls++
	claims, after := t.claims(op, in)
	win := int64(now / t.window)
	for _, c := range claims {
		if t.spent(c.key, win) {
			t.throttled++
			t.throttledBy[c.key]++
			t.mu.Unlock()
			writeThrottled(w, op, len(in.TransactItems), c.item)
			return
		}
	}
	for _, c := range claims {
		t.charge(c.key, win, c.units)
	}
	t.mu.Unlock()

	rec := httptest.NewRecorder()
	t.next.ServeHTTP(rec, r)
	if rec.Code == http.StatusOK {
		t.mu.Lock()
		for _, c := range after(rec.Body.Bytes()) {
			t.charge(c.key, win, c.units)
		}
		t.mu.Unlock()
	}
	for k, v := range rec.Header() {
		w.Header()[k] = v
	}
	w.WriteHeader(rec.Code)
	_, _ = w.Write(rec.Body.Bytes())
}

func (t *Throttle) now(r *http.Request) time.Duration {
	if t.Clock != nil {
		return t.Clock(r)
	}
	t.mu.Lock()
	defer t.mu.Unlock()
	return time.Since(t.start)
}

func (t *Throttle) spent(key string, win int64) bool {
	limit := t.write
	if key[0] == 'R' {
		limit = t.read
	}
	return t.used[key][win] >= limit
}

func (t *Throttle) charge(key string, win int64, units float64) {
	m := t.used[key]
	if m == nil {
		m = map[int64]float64{}
		t.used[key] = m
	}
	m[win] += units
	if win > t.maxWindowKey {
		t.maxWindowKey = win
	}
	if len(m) > 256 { // keep the windows a late call may still fall in
		for w := range m {
			if w < t.maxWindowKey-128 {
				delete(m, w)
			}
		}
	}
}

// claims returns what op costs before it runs (checked against the budgets, then
// charged), and a function giving what it costs once it succeeded (index writes, a
// Query's size), which also keeps track of the index partitions each item is in.
func (t *Throttle) claims(op string, in wire) (before []claim, after func(out []byte) []claim) {
	none := func([]byte) []claim { return nil }
	readUnits := func(consistent bool) float64 {
		if consistent {
			return 1
		}
		return 0.5
	}
	switch op {
	case "GetItem":
		return []claim{{key: "R " + t.itemKey(in.Key), units: readUnits(in.ConsistentRead)}}, none
	case "BatchGetItem":
		for _, raw := range in.RequestItems {
			var ka struct {
				Keys           []map[string]map[string]any
				ConsistentRead bool
			}
			_ = json.Unmarshal(raw, &ka)
			for _, k := range ka.Keys {
				before = append(before, claim{key: "R " + t.itemKey(k), units: readUnits(ka.ConsistentRead)})
			}
		}
		return before, none
	case "TransactGetItems":
		for i, ti := range in.TransactItems {
			before = append(before, claim{key: "R " + t.itemKey(ti["Get"].Key), units: 2, item: i})
		}
		return before, none
	case "Query":
		key := "R " + t.partitionKey(in)
		return []claim{{key: key, units: 0}}, func(out []byte) []claim {
			var res struct{ Items []json.RawMessage }
			_ = json.Unmarshal(out, &res)
			size := 0
			for _, it := range res.Items {
				size += len(it)
			}
			return []claim{{key: key, units: readUnits(in.ConsistentRead) * float64(max(1, (size+4095)/4096))}}
		}
	case "PutItem", "UpdateItem", "DeleteItem":
		w := t.write1(op, in, 1, 0)
		return w.before, func([]byte) []claim { return w.commit() }
	case "BatchWriteItem":
		var ws []written
		for _, raw := range in.RequestItems {
			var reqs []struct {
				PutRequest    *struct{ Item map[string]map[string]any }
				DeleteRequest *struct{ Key map[string]map[string]any }
			}
			_ = json.Unmarshal(raw, &reqs)
			for _, rq := range reqs {
				switch {
				case rq.PutRequest != nil:
					ws = append(ws, t.write1("PutItem", wire{Item: rq.PutRequest.Item}, 1, 0))
				case rq.DeleteRequest != nil:
					ws = append(ws, t.write1("DeleteItem", wire{Key: rq.DeleteRequest.Key}, 1, 0))
				}
			}
		}
		return commitAll(ws)
	case "TransactWriteItems":
		var ws []written
		for i, ti := range in.TransactItems {
			for kind, one := range ti {
				op := map[string]string{"Put": "PutItem", "Update": "UpdateItem", "Delete": "DeleteItem", "ConditionCheck": "ConditionCheck"}[kind]
				ws = append(ws, t.write1(op, one, 2, i))
			}
		}
		return commitAll(ws)
	}
	return nil, none
}

// written is one item's write: its cost before, and once it succeeded its index writes
// and the index partitions the item is in now.
type written struct {
	before []claim
	commit func() []claim
}

func commitAll(ws []written) ([]claim, func([]byte) []claim) {
	var before []claim
	for _, w := range ws {
		before = append(before, w.before...)
	}
	return before, func([]byte) []claim {
		var after []claim
		for _, w := range ws {
			after = append(after, w.commit()...)
		}
		return after
	}
}

// write1 is the cost of one item's write (factor 2 in a transaction), the index
// partitions it writes, and the bookkeeping of where the item is indexed.
func (t *Throttle) write1(op string, in wire, factor float64, item int) written {
	key := in.Key
	if op == "PutItem" {
		key = in.Item
	}
	id := t.itemKey(key)
	kb := 1.0
	if op == "PutItem" {
		kb = float64(max(1, (itemBytes(in.Item)+1023)/1024))
	}
	w := written{before: []claim{{key: "W " + id, units: factor * kb, item: item}}, commit: func() []claim { return nil }}
	if op == "ConditionCheck" {
		return w
	}
	old := t.inIndex[id]
	now := map[string]string{}
	var touched map[string]bool
	switch op {
	case "PutItem":
		for _, ix := range t.indexes {
			if v, ok := stringValue(in.Item[ix.hash]); ok {
				now[ix.name] = v
			}
		}
	case "UpdateItem":
		touched = map[string]bool{}
		set, removed := parseUpdate(in, touched)
		for _, ix := range t.indexes {
			switch v, ok := set[ix.hash]; {
			case ok:
				now[ix.name] = v
			case removed[ix.hash]:
			case old[ix.name] != "":
				now[ix.name] = old[ix.name]
			}
		}
	}
	var ixWrites []claim
	for _, ix := range t.indexes {
		was, is := old[ix.name], now[ix.name]
		if was == "" && is == "" {
			continue
		}
		if touched != nil && was == is && !ix.all && !anyProjected(ix, touched) {
			continue // an update of attributes the index does not hold
		}
		for _, pk := range []string{was, is} {
			if pk != "" {
				ixWrites = append(ixWrites, claim{key: "W " + ix.name + " " + pk, units: kb, item: item})
			}
			if was == is {
				break
			}
		}
	}
	for _, c := range ixWrites {
		c.units = 0 // checked before, charged once written
		w.before = append(w.before, c)
	}
	w.commit = func() []claim {
		if len(now) == 0 {
			delete(t.inIndex, id)
		} else {
			t.inIndex[id] = now
		}
		return ixWrites
	}
	return w
}

func anyProjected(ix throttleIndex, touched map[string]bool) bool {
	for a := range touched {
		if ix.projected[a] {
			return true
		}
	}
	return false
}

var (
	updateClause = regexp.MustCompile(`(?i)\b(SET|REMOVE|ADD|DELETE)\b`)
	assignment   = regexp.MustCompile(`^\s*([#\w.]+)\s*=\s*(:\w+)\s*$`)
	nameToken    = regexp.MustCompile(`#\w+|\b[A-Za-z_]\w*\b`)
)

// parseUpdate reads an UpdateExpression: the attributes it sets to a string value
// (name → value), those it removes, and every attribute it touches (into touched).
func parseUpdate(in wire, touched map[string]bool) (set map[string]string, removed map[string]bool) {
	set, removed = map[string]string{}, map[string]bool{}
	name := func(tok string) string {
		if n, ok := in.ExpressionAttributeNames[tok]; ok {
			return n
		}
		return tok
	}
	expr := in.UpdateExpression
	locs := updateClause.FindAllStringIndex(expr, -1)
	for i, loc := range locs {
		end := len(expr)
		if i+1 < len(locs) {
			end = locs[i+1][0]
		}
		verb := strings.ToUpper(expr[loc[0]:loc[1]])
		for _, part := range strings.Split(expr[loc[1]:end], ",") {
			for _, tok := range nameToken.FindAllString(part, -1) {
				if strings.HasPrefix(tok, "#") || !isFunction(tok) {
					touched[name(tok)] = true
				}
			}
			switch verb {
			case "SET":
				if m := assignment.FindStringSubmatch(part); m != nil {
					if v, ok := stringValue(in.ExpressionAttributeValues[m[2]]); ok {
						set[name(m[1])] = v
					}
				}
			case "REMOVE":
				removed[name(strings.TrimSpace(part))] = true
			}
		}
	}
	return set, removed
}

func isFunction(tok string) bool {
	switch strings.ToLower(tok) {
	case "if_not_exists", "list_append":
		return true
	}
	return false
}

// partitionKey is the partition a Query reads: "<index> <value>" or the table's "<value>".
func (t *Throttle) partitionKey(in wire) string {
	attr := t.hash
	prefix := ""
	for _, ix := range t.indexes {
		if ix.name == in.IndexName {
			attr, prefix = ix.hash, ix.name+" "
		}
	}
	for _, part := range regexp.MustCompile(`(?i)\bAND\b`).Split(in.KeyConditionExpression, -1) {
		if m := assignment.FindStringSubmatch(part); m != nil {
			n := m[1]
			if v, ok := in.ExpressionAttributeNames[n]; ok {
				n = v
			}
			if n == attr {
				v, _ := stringValue(in.ExpressionAttributeValues[m[2]])
				return prefix + v
			}
		}
	}
	return prefix + "?"
}

func (t *Throttle) itemKey(k map[string]map[string]any) string {
	pk, _ := stringValue(k[t.hash])
	sk, _ := stringValue(k[t.rng])
	return pk + "/" + sk
}

func stringValue(v map[string]any) (string, bool) {
	for _, typ := range []string{"S", "N"} {
		if s, ok := v[typ].(string); ok {
			return s, true
		}
	}
	return "", false
}

// itemBytes approximates an item's size from its JSON.
func itemBytes(it map[string]map[string]any) int {
	b, _ := json.Marshal(it)
	return len(b)
}

// writeThrottled answers a call DynamoDB throttled: TransactWriteItems (of n items, item
// the hot one) is cancelled with ThrottlingError, any other call refused with
// ProvisionedThroughputExceededException.
func writeThrottled(w http.ResponseWriter, op string, n, item int) {
	if op == "TransactWriteItems" {
		writeCanceled(w, n, item, "ThrottlingError", "Throughput exceeds the current capacity of your table or index.")
		return
	}
	w.Header().Set("Content-Type", "application/x-amz-json-1.0")
	w.WriteHeader(http.StatusBadRequest)
	_, _ = w.Write([]byte(`{"__type":"com.amazonaws.dynamodb.v20120810#ProvisionedThroughputExceededException","message":"Throughput exceeds the current capacity of your table or index."}`))
}
