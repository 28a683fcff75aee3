package main

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"math/rand/v2"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/feature/dynamodb/attributevalue"
	"github.com/aws/aws-sdk-go-v2/feature/dynamodb/expression"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"
	"github.com/johannesboyne/gofakes3/backend/s3mem"
	"github.com/truora/minidyn/server"

	"github.com/wentitong/wentitong/shared/app/searchapp"
	media "github.com/wentitong/wentitong/shared/bucket"
	"github.com/wentitong/wentitong/shared/buckettest"
	"github.com/wentitong/wentitong/shared/dynamo"
	"github.com/wentitong/wentitong/shared/dynamodev"
	"github.com/wentitong/wentitong/shared/search"
	"github.com/wentitong/wentitong/shared/search/relevance"
)

func init() {
	register("search", "Chinese full-text search over generated items vs a DynamoDB scan with a substring filter", runSearch)
}

// The generated corpus: titles are a place, a subject and a form; descriptions mix
// subjects and filler, so that words occur in titles, subjects and text with skew.
var (
	benchPlaces   = []string{"醴陵", "攸县", "茶陵", "炎陵", "渌口", "芦淞", "荷塘", "石峰", "天元", "株洲"}
	benchSubjects = []string{"瓷器", "釉下五彩", "民歌", "山歌", "花鼓戏", "剪纸", "炎帝传说", "老照片", "龙舟", "红色文化",
		"湘剧", "花炮", "竹编", "皮影戏", "书法", "地方志", "族谱", "工业遗产", "傩戏", "刺绣", "擂茶", "木雕", "农耕文化", "湘江"}
	benchForms   = []string{"图录", "录音", "视频", "调查报告", "选集", "影像", "口述史", "连环画", "展览", "讲座"}
	benchFillers = []string{"记录了当地群众的生产生活", "由市图书馆整理数字化", "收录于地方特色资源库", "反映了湖湘文化的传承",
		"采录于上世纪八十年代", "经非遗传承人口述整理", "附有详细的说明文字", "适合中小学生阅读", "保存状况良好", "可在线浏览与播放"}
	benchMedia     = []string{"image", "audio", "video", "pdf"}
	benchDistricts = []string{"430202", "430203", "430204", "430211", "430212", "430223", "430224", "430225", "430281"}
)

func benchItem(rng *rand.Rand, i int) search.Doc {
	place, subject := benchPlaces[rng.IntN(len(benchPlaces))], benchSubjects[rng.IntN(len(benchSubjects))]
	var text strings.Builder
	for range 2 + rng.IntN(3) {
		text.WriteString(benchFillers[rng.IntN(len(benchFillers))])
		text.WriteString("，")
		text.WriteString(benchSubjects[rng.IntN(len(benchSubjects))])
		text.WriteString("。")
	}
	return search.Doc{ID: fmt.Sprintf("item:b%06d", i), Kind: search.KindItem,
		Title: place + subject + benchForms[rng.IntN(len(benchForms))], Text: text.String(), Summary: subject,
		Tags: []string{subject}, Collection: fmt.Sprintf("c%02d", i%20), Media: []string{benchMedia[rng.IntN(len(benchMedia))]},
		Districts: []string{"430200", benchDistricts[rng.IntN(len(benchDistricts))]},
		Date:      time.Date(1900+rng.IntN(126), time.Month(1+rng.IntN(12)), 1, 0, 0, 0, 0, time.UTC), URL: fmt.Sprintf("/items/b%06d", i)}
}

// runSearch indexes generated items into a bleve index on disk, reopens it read-only
// (as a search function's replica), and times one-word, two-word and filtered queries;
// the baseline is the same items in the embedded DynamoDB, searched by a Scan with a
// contains() filter. It also reports precision at 10 on the hand-labelled set.
func runSearch(ctx context.Context, args []string, out io.Writer) error {
	fs := flags("search", out)
	items := fs.Int("items", 100_000, "items to generate and index")
	queries := fs.Int("queries", 300, "queries per kind of query")
	scans := fs.Int("scans", 5, "baseline scans (each reads every item)")
	cpuprofile := fs.String("cpuprofile", "", "write a CPU profile of the queries to this file")
	if err := fs.Parse(args); err != nil {
		return err
	}
	rng := rand.New(rand.NewPCG(16, 16))
	docs := make([]search.Doc, *items)
	for i := range docs {
		docs[i] = benchItem(rng, i)
	}
	dir, err := os.MkdirTemp("", "bench-search-")
	if err != nil {
		return err
	}
	defer os.RemoveAll(dir)

	// Build.
	idx, err := search.Open(filepath.Join(dir, "index"))
	if err != nil {
		return err
	}
	start := time.Now()
	for i := 0; i < len(docs); i += 500 {
		if err := idx.Put(docs[i:min(i+500, len(docs))]...); err != nil {
			return err
		}
	}
	if err := idx.Close(); err != nil {
		return err
	}
	build := time.Since(start)
	size, err := search.Size(filepath.Join(dir, "index"))
	if err != nil {
		return err
	}
	idx, err = search.OpenReadOnly(filepath.Join(dir, "index"))
	if err != nil {
		return err
	}
	defer idx.Close()
	var snap bytes.Buffer
	if err := idx.WriteSnapshot(&snap); err != nil {
		return err
	}
	fmt.Fprintf(out, "indexed %d items in %v: %.0f items/s; index %.1f MB on disk, snapshot %.1f MB\n\n",
		len(docs), build.Round(time.Millisecond), float64(len(docs))/build.Seconds(), mb(size), mb(int64(snap.Len())))

	cold, err := coldReplica(ctx, snap.Bytes())
	if err != nil {
		return err
	}
	fmt.Fprintf(out, "cold function (snapshot in the embedded S3, through the real client): the chat's 搜 answered in %v (%s); the copy was ready after %v\n\n",
		cold.chat.Round(time.Millisecond), cold.answer, cold.ready.Round(time.Millisecond))

	// Queries.
	qrng := rand.New(rand.NewPCG(32, 32))
	kinds := []struct {
		name string
		make func() search.Query
	}{
		{"one word (瓷器)", func() search.Query { return search.Query{Text: pick(qrng, benchSubjects)} }},
		{"two words (醴陵 瓷器)", func() search.Query {
			return search.Query{Text: pick(qrng, benchPlaces) + " " + pick(qrng, benchSubjects)}
		}},
		{"filtered (word, media, district, dates)", func() search.Query {
			return search.Query{Text: pick(qrng, benchSubjects), Media: pick(qrng, benchMedia), District: pick(qrng, benchDistricts),
				From: time.Date(1950, 1, 1, 0, 0, 0, 0, time.UTC), To: time.Date(2000, 1, 1, 0, 0, 0, 0, time.UTC)}
		}},
	}
	type row struct {
		name     string
		p50, p99 time.Duration
		hits     float64
		cpu      time.Duration // process CPU per query, which other load on the machine does not inflate
	}
	var rows []row
	stopProfile, err := cpuProfile(*cpuprofile)
	if err != nil {
		return err
	}
	defer stopProfile()
	load := loadAverage()
	for _, k := range kinds {
		cpu0 := processCPU()
		lat := make([]time.Duration, *queries)
		var total uint64
		for i := range lat {
			q := k.make()
			s := time.Now()
			res, err := idx.Search(q)
			lat[i] = time.Since(s)
			if err != nil {
				return err
			}
			total += res.Total
		}
		p50, p99 := percentiles(lat)
		rows = append(rows, row{k.name, p50, p99, float64(total) / float64(len(lat)), (processCPU() - cpu0) / time.Duration(len(lat))})
	}

	stopProfile()

	// Baseline: the same items in the embedded DynamoDB, a Scan with contains().
	engine := httptest.NewServer(server.NewServer())
	defer engine.Close()
	db, err := dynamo.NewClient(ctx, dynamo.ClientOptions{Endpoint: engine.URL})
	if err != nil {
		return err
	}
	const table = "wentitong-bench-search"
	if err := dynamodev.EnsureTable(ctx, db, table); err != nil {
		return err
	}
	start = time.Now()
	for i := 0; i < len(docs); i += 25 {
		var reqs []types.WriteRequest
		for _, d := range docs[i:min(i+25, len(docs))] {
			item, err := attributevalue.MarshalMap(struct{ PK, SK, Title, Text, Media, District string }{
				"ITEM#" + d.ID, "ITEM", d.Title, d.Text, d.Media[0], d.Districts[1]})
			if err != nil {
				return err
			}
			reqs = append(reqs, types.WriteRequest{PutRequest: &types.PutRequest{Item: item}})
		}
		if _, err := db.BatchWriteItem(ctx, &dynamodb.BatchWriteItemInput{RequestItems: map[string][]types.WriteRequest{table: reqs}}); err != nil {
			return err
		}
	}
	fmt.Fprintf(out, "baseline table loaded with %d items in %v\n", len(docs), time.Since(start).Round(time.Millisecond))
	scanLat := make([]time.Duration, *scans)
	var scanFound int
	for i := range scanLat {
		w := pick(qrng, benchSubjects)
		filter := expression.Contains(expression.Name("Title"), w).Or(expression.Contains(expression.Name("Text"), w))
		expr, err := expression.NewBuilder().WithFilter(filter).Build()
		if err != nil {
			return err
		}
		s := time.Now()
		p := dynamodb.NewScanPaginator(db, &dynamodb.ScanInput{TableName: aws.String(table), FilterExpression: expr.Filter(),
			ExpressionAttributeNames: expr.Names(), ExpressionAttributeValues: expr.Values()})
		for p.HasMorePages() {
			page, err := p.NextPage(ctx)
			if err != nil {
				return err
			}
			scanFound += len(page.Items)
		}
		scanLat[i] = time.Since(s)
	}
	scan50, scan99 := percentiles(scanLat)
	rows = append(rows, row{"baseline: Scan with contains() (one word)", scan50, scan99, float64(scanFound) / float64(len(scanLat)), 0})

	fmt.Fprintf(out, "\nload average while querying: %s (the machine's other work lengthens the tail)\n", load)
	fmt.Fprintf(out, "%-44s %10s %10s %10s %10s\n", fmt.Sprintf("%d items", len(docs)), "p50", "p99", "cpu/q", "matches/q")
	for _, r := range rows {
		fmt.Fprintf(out, "%-44s %10v %10v %10v %10.0f\n", r.name, r.p50.Round(10*time.Microsecond), r.p99.Round(10*time.Microsecond), r.cpu.Round(10*time.Microsecond), r.hits)
	}
	worst := max(rows[0].p99, rows[1].p99, rows[2].p99)
	verdict := "within"
	if worst >= 50*time.Millisecond {
		verdict = "OVER"
	}
	fmt.Fprintf(out, "\nworst search p99 %v: %s the 50 ms budget; the scan's p50 is %.0f× the one-word search's p50\n",
		worst.Round(10*time.Microsecond), verdict, float64(rows[3].p50)/float64(max(rows[0].p50, time.Microsecond)))

	// Relevance on the hand-labelled set.
	set, err := relevance.Load()
	if err != nil {
		return err
	}
	lab, err := search.NewMemory()
	if err != nil {
		return err
	}
	defer lab.Close()
	if err := lab.Put(set.Docs...); err != nil {
		return err
	}
	judged, err := set.Judge(lab)
	if err != nil {
		return err
	}
	precision, recall := relevance.Mean(judged)
	fmt.Fprintf(out, "labelled set (%d docs, %d queries): mean precision@10 %.2f, recall@10 %.2f\n", len(set.Docs), len(judged), precision, recall)

	report, _ := json.Marshal(map[string]any{
		"scenario": "search", "items": len(docs), "buildItemsPerSecond": int(float64(len(docs)) / build.Seconds()),
		"indexMB": round(mb(size)), "snapshotMB": round(mb(int64(snap.Len()))),
		"oneWordP50Ms": ms(rows[0].p50), "oneWordP99Ms": ms(rows[0].p99), "twoWordP50Ms": ms(rows[1].p50), "twoWordP99Ms": ms(rows[1].p99),
		"oneWordCPUMs": ms(rows[0].cpu), "twoWordCPUMs": ms(rows[1].cpu), "filteredCPUMs": ms(rows[2].cpu), "loadAverage": load,
		"filteredP50Ms": ms(rows[2].p50), "filteredP99Ms": ms(rows[2].p99), "scanP50Ms": ms(rows[3].p50), "scanP99Ms": ms(rows[3].p99),
		"precisionAt10": round(precision), "recallAt10": round(recall),
		"coldChatMs": ms(cold.chat), "coldReadyMs": ms(cold.ready),
	})
	fmt.Fprintln(out, string(report))
	return nil
}

func pick(rng *rand.Rand, words []string) string { return words[rng.IntN(len(words))] }

func mb(n int64) float64 { return float64(n) / (1 << 20) }

// processCPU is the CPU time the process has used (user and system).
func processCPU() time.Duration {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		return 0
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}

// loadAverage is the machine's 1-minute load average ("" where /proc has none).
func loadAverage() string {
	b, err := os.ReadFile("/proc/loadavg")
	if err != nil {
		return ""
	}
	return strings.Fields(string(b))[0]
}

type coldMeasure struct {
	chat, ready time.Duration
	answer      string
}

// coldReplica publishes the snapshot to an embedded S3 server and times a cold search
// function: its first search (bounded by the chat's wait) and the time until its copy
// is fetched, unpacked and opened.
func coldReplica(ctx context.Context, snapshot []byte) (coldMeasure, error) {
	srv := httptest.NewServer(buckettest.NewServer(s3mem.New()))
	defer srv.Close()
	bkt, err := media.New(ctx, media.Options{Name: buckettest.BucketName, Endpoint: srv.URL})
	if err != nil {
		return coldMeasure{}, err
	}
	if err := bkt.EnsureBucket(ctx); err != nil {
		return coldMeasure{}, err
	}
	snaps := media.SearchSnapshots{Bucket: bkt}
	if err := snaps.Publish(ctx, snapshot); err != nil {
		return coldMeasure{}, err
	}
	dir, err := os.MkdirTemp("", "bench-replica-")
	if err != nil {
		return coldMeasure{}, err
	}
	defer os.RemoveAll(dir)
	r := &search.Replica{Snapshots: snaps, Dir: dir, Wait: searchapp.ChatWait, Now: time.Now, Log: slog.New(slog.DiscardHandler)}
	var m coldMeasure
	start := time.Now()
	r.Start() // at the function's start
	_, err = r.Index(ctx)
	m.chat = time.Since(start)
	switch {
	case errors.Is(err, search.ErrLoading):
		m.answer = "a link to the search page, the copy still arriving"
	case err != nil:
		return coldMeasure{}, err
	default:
		m.answer = "from the copy"
	}
	for {
		idx, err := r.Index(ctx)
		if err == nil {
			m.ready = time.Since(start)
			if _, err := idx.Search(search.Query{Text: "瓷器"}); err != nil {
				return coldMeasure{}, err
			}
			return m, idx.Close()
		}
		if !errors.Is(err, search.ErrLoading) {
			return coldMeasure{}, err
		}
	}
}
