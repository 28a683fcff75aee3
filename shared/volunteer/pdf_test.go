package volunteer

import (
	"bytes"
	"fmt"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"
	"unicode/utf16"

	"github.com/wentitong/wentitong/shared/beijing"
)

// utf16Hex is s as the content stream writes it: UTF-16BE in upper-case hex.
func utf16Hex(s string) string {
	var b strings.Builder
	for _, u := range utf16.Encode([]rune(s)) {
		fmt.Fprintf(&b, "%04X", u)
	}
	return b.String()
}

// CheckPDF checks a one-page PDF's structure: header, every xref offset pointing at its
// "N 0 obj", startxref pointing at the table. It returns the content stream.
func checkPDF(t *testing.T, pdf []byte) string {
	t.Helper()
	if !bytes.HasPrefix(pdf, []byte("%PDF-1.4\n")) || !bytes.HasSuffix(pdf, []byte("%%EOF\n")) {
		t.Fatalf("not a PDF 1.4 file: %.20q … %q", pdf, pdf[max(0, len(pdf)-10):])
	}
	m := regexp.MustCompile(`startxref\n(\d+)\n%%EOF\n$`).FindSubmatch(pdf)
	if m == nil {
		t.Fatal("no startxref")
	}
	xref, _ := strconv.Atoi(string(m[1]))
	table := regexp.MustCompile(`^xref\n0 (\d+)\n0000000000 65535 f \n((?:\d{10} 00000 n \n)+)trailer\n<< /Size (\d+) /Root 1 0 R >>`).FindSubmatch(pdf[xref:])
	if table == nil || string(table[1]) != string(table[3]) {
		t.Fatalf("no xref table at %d: %.80q", xref, pdf[xref:])
	}
	entries := strings.Split(strings.TrimSuffix(string(table[2]), "\n"), "\n")
	if n, _ := strconv.Atoi(string(table[1])); len(entries) != n-1 || n < 8 {
		t.Fatalf("%d xref entries, /Size %d", len(entries), n)
	}
	for i, e := range entries {
		off, _ := strconv.Atoi(e[:10])
		if want := fmt.Sprintf("%d 0 obj\n", i+1); !bytes.HasPrefix(pdf[off:], []byte(want)) {
			t.Errorf("xref entry %d → %d: %.12q, want %q", i+1, off, pdf[off:], want)
		}
	}
	for _, want := range []string{"/BaseFont /STSong-Light", "/Encoding /UniGB-UCS2-H", "/Subtype /CIDFontType0",
		"/Registry (Adobe) /Ordering (GB1) /Supplement 2", "/MediaBox [0 0 595 842]", "/Count 1"} {
		if !bytes.Contains(pdf, []byte(want)) {
			t.Errorf("PDF lacks %s", want)
		}
	}
	s := regexp.MustCompile(`(?s)<< /Length (\d+) >>\nstream\n(.*?)\nendstream`).FindSubmatch(pdf)
	if s == nil {
		t.Fatal("no content stream")
	}
	if n, _ := strconv.Atoi(string(s[1])); n != len(s[2]) {
		t.Errorf("/Length %d, stream is %d bytes", n, len(s[2]))
	}
	return string(s[2])
}

func TestCertificatePDF(t *testing.T) {
	from := time.Date(2026, 1, 1, 0, 0, 0, 0, beijing.Zone)
	c := Certificate{Serial: "WTT-2026-AB12CD34", Name: "张志愿", IDNumberMasked: "11**************2X",
		Organisation: "联星街道文化志愿服务（" + Issuer + "登记）", From: from, To: from.AddDate(1, 0, -1),
		CreditHours: 3, HonourHours: 4, TotalHours: 7, IssuedAt: from.AddDate(0, 10, 27), Issuer: Issuer}
	for i := range 40 {
		c.Activities = append(c.Activities, Served{Date: from.AddDate(0, 0, i), Kind: EntryCredit,
			Title: strings.Repeat("文化馆导览志愿服务", 1+i%4), Hours: 2.5})
	}
	stream := checkPDF(t, c.PDF())
	for _, want := range []string{"志愿服务记录证明", "张志愿", c.IDNumberMasked, c.Serial, "2026年11月28日", "荣誉时长 4 小时",
		"2026-01-01", "另有 "} {
		if !strings.Contains(stream, utf16Hex(want)) {
			t.Errorf("content stream lacks %q", want)
		}
	}
	if strings.Contains(stream, utf16Hex("2026-02-09")) {
		t.Error("the 40th activity was drawn below the footer; rows should be cut to the page")
	}
}
