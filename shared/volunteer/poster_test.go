package volunteer

import (
	"bytes"
	"image"
	"image/color"
	"image/draw"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/makiuchi-d/gozxing"
	gozxingqr "github.com/makiuchi-d/gozxing/qrcode"
)

// The poster's QR code, read back from the PDF's squares as a scanner reads the print,
// is the shift's code; the poster names the venue, the shift and its time.
func TestPosterPDFCarriesTheShiftsCode(t *testing.T) {
	sh := Shift{ID: "3f2a9c1d-0000-4000-8000-000000000001", Title: "图书馆导览", QRText: "http://weixin.qq.com/q/02AbCdEfGhIjKlMnOpQrSt",
		StartsAt: time.Date(2026, 12, 5, 1, 0, 0, 0, time.UTC), EndsAt: time.Date(2026, 12, 5, 4, 0, 0, 0, time.UTC)}
	pdf, err := sh.PosterPDF("株洲市图书馆")
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.HasPrefix(pdf, []byte("%PDF-1.4")) || !bytes.HasSuffix(pdf, []byte("%%EOF\n")) {
		t.Fatalf("not a PDF: %q…", pdf[:20])
	}
	for _, want := range []string{"株洲市图书馆", "图书馆导览", "2026年12月5日 09:00 至 12月5日 12:00", "班次编号 3f2a9c1d"} {
		if !bytes.Contains(pdf, []byte(utf16hex(want))) {
			t.Errorf("the poster does not say %q", want)
		}
	}
	if got := decodePDFSquares(t, pdf); got != sh.QRText {
		t.Errorf("the poster's code reads %q, want %q", got, sh.QRText)
	}
	if _, err := (Shift{ID: "x"}).PosterPDF("v"); err != ErrPosterUnavailable {
		t.Errorf("a shift without its code's text = %v, want ErrPosterUnavailable", err)
	}
}

var square = regexp.MustCompile(`(?m)^([\d.]+) ([\d.]+) ([\d.]+) ([\d.]+) re$`)

// decodePDFSquares paints the page's filled squares at 2 px a point and reads the QR code.
func decodePDFSquares(t *testing.T, pdf []byte) string {
	t.Helper()
	const scale = 2
	img := image.NewGray(image.Rect(0, 0, 595*scale, 842*scale))
	draw.Draw(img, img.Bounds(), image.NewUniform(color.White), image.Point{}, draw.Src)
	n := 0
	for _, m := range square.FindAllSubmatch(pdf, -1) {
		f := func(i int) float64 { v, _ := strconv.ParseFloat(string(m[i]), 64); return v * scale }
		x, y, w, h := f(1), f(2), f(3), f(4)
		r := image.Rect(int(x+0.5), int(842*scale-y-h+0.5), int(x+w+0.5), int(842*scale-y+0.5)) // PDF's origin is bottom left
		draw.Draw(img, r, image.NewUniform(color.Black), image.Point{}, draw.Src)
		n++
	}
	if n == 0 {
		t.Fatal("the PDF draws no squares")
	}
	bmp, err := gozxing.NewBinaryBitmapFromImage(img)
	if err != nil {
		t.Fatal(err)
	}
	res, err := gozxingqr.NewQRCodeReader().Decode(bmp, map[gozxing.DecodeHintType]any{gozxing.DecodeHintType_TRY_HARDER: true})
	if err != nil {
		t.Fatalf("decode the poster's code: %v", err)
	}
	return res.GetText()
}

func utf16hex(s string) string {
	var b strings.Builder
	for _, r := range s {
		b.WriteString(strings.ToUpper(strconv.FormatInt(int64(r)|0x10000, 16)[1:]))
	}
	return b.String()
}
