package qr

import (
	"image"
	"image/color"
	"image/draw"
	"regexp"
	"strconv"
	"strings"
	"testing"

	"github.com/makiuchi-d/gozxing"
	gozxingqr "github.com/makiuchi-d/gozxing/qrcode"
)

// A scanner reads back the text from the runs New gives and from the SVG's path, drawn
// as a browser draws them; the label is escaped.
func TestCodesReadBack(t *testing.T) {
	const text = "http://weixin.qq.com/q/02AbCdEfGhIjKlMnOpQrSt"
	c, err := New(text)
	if err != nil {
		t.Fatal(err)
	}
	if got := read(t, c.Size, c.Runs); got != text {
		t.Errorf("New(%q) reads %q", text, got)
	}
	svg, err := SVG(text, `签到"二维码"`)
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(string(svg), `aria-label="签到&#34;二维码&#34;"`) {
		t.Errorf("SVG's label is not escaped: %.200s", svg)
	}
	var runs []Run
	for _, m := range regexp.MustCompile(`M(\d+) (\d+)h(\d+)v1h-(\d+)z`).FindAllStringSubmatch(string(svg), -1) {
		n := func(i int) int { v, _ := strconv.Atoi(m[i]); return v }
		runs = append(runs, Run{X: n(1), Y: n(2), Len: n(3)})
	}
	if got := read(t, c.Size, runs); got != text {
		t.Errorf("SVG(%q) reads %q", text, got)
	}
}

// read paints runs at 4 px a module on white and decodes them.
func read(t *testing.T, size int, runs []Run) string {
	t.Helper()
	const px = 4
	img := image.NewGray(image.Rect(0, 0, size*px, size*px))
	draw.Draw(img, img.Bounds(), image.NewUniform(color.White), image.Point{}, draw.Src)
	for _, r := range runs {
		draw.Draw(img, image.Rect(r.X*px, r.Y*px, (r.X+r.Len)*px, (r.Y+1)*px), image.NewUniform(color.Black), image.Point{}, draw.Src)
	}
	bmp, err := gozxing.NewBinaryBitmapFromImage(img)
	if err != nil {
		t.Fatal(err)
	}
	res, err := gozxingqr.NewQRCodeReader().Decode(bmp, nil)
	if err != nil {
		t.Fatalf("decode: %v", err)
	}
	return res.GetText()
}
