// Package qr encodes text as a QR code once, for every drawing of it: the pages' inline
// SVG and the printed posters' vector squares.
package qr

import (
	"fmt"
	"html/template"
	"strings"

	qrcode "github.com/skip2/go-qrcode"
)

// Code is a QR code as its rows of dark modules, the 4-module quiet zone included.
// Error correction is medium (15 %), which a phone's screen at a door scanner and a
// printed poster read well.
type Code struct {
	Size int   // modules a side
	Runs []Run // the dark modules, row by row, left to right
}

// Run is Len dark modules side by side in row Y from column X.
type Run struct{ X, Y, Len int }

// New encodes text.
func New(text string) (Code, error) {
	q, err := qrcode.New(text, qrcode.Medium)
	if err != nil {
		return Code{}, fmt.Errorf("qr code: %w", err)
	}
	bits := q.Bitmap()
	c := Code{Size: len(bits)}
	for y, row := range bits {
		for x := 0; x < len(row); {
			if !row[x] {
				x++
				continue
			}
			start := x
			for x < len(row) && row[x] {
				x++
			}
			c.Runs = append(c.Runs, Run{X: start, Y: y, Len: x - start})
		}
	}
	return c, nil
}

// SVG draws text as a QR code in inline SVG (no image request, sharp at any size, a few
// KB gzipped): one path of dark modules on a white square with the quiet zone, about
// 300 px wide in whole pixels a module unless CSS scales it to the width of its box.
func SVG(text, label string) (template.HTML, error) {
	c, err := New(text)
	if err != nil {
		return "", err
	}
	n := c.Size
	var b strings.Builder
	px := max(2, 296/n) // its own size: about 300 px, whole pixels a module, unless CSS scales it
	fmt.Fprintf(&b, `<svg class="qr" xmlns="http://www.w3.org/2000/svg" viewBox="0 0 %d %d" width="%d" height="%d" role="img" aria-label="%s" shape-rendering="crispEdges">`,
		n, n, n*px, n*px, template.HTMLEscapeString(label))
	fmt.Fprintf(&b, `<rect width="%d" height="%d" fill="#fff"/><path fill="#000" d="`, n, n)
	for _, r := range c.Runs {
		fmt.Fprintf(&b, "M%d %dh%dv1h-%dz", r.X, r.Y, r.Len, r.Len)
	}
	b.WriteString(`"/></svg>`)
	return template.HTML(b.String()), nil // built here from numbers and an escaped label
}
