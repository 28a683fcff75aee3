package volunteer

import (
	"bytes"
	"fmt"
	"strconv"
	"unicode/utf16"

	"github.com/wentitong/wentitong/shared/beijing"
)

// A minimal PDF 1.4 writer, standard library only: one A4 page, one content stream and
// Adobe's predefined Simplified Chinese font STSong-Light, not embedded (every PDF
// reader ships or substitutes it), so the file stays a few kilobytes.

// pdfPage draws text and rules on an A4 page (595×842 pt, origin bottom left).
type pdfPage struct{ bytes.Buffer }

// text writes s at (x, y) in the CJK font at size pt, as UTF-16BE hex (<…> Tj), the
// form the UniGB-UCS2-H encoding reads. Characters outside the BMP become "?".
func (p *pdfPage) text(x, y, size float64, s string) {
	fmt.Fprintf(p, "BT /F1 %s Tf %s %s Td <", num(size), num(x), num(y))
	for _, r := range s {
		if r > 0xFFFF {
			r = '?'
		}
		fmt.Fprintf(p, "%04X", utf16.Encode([]rune{r})[0])
	}
	p.WriteString("> Tj ET\n")
}

// rule draws a thin line from (x1, y) to (x2, y).
func (p *pdfPage) rule(x1, x2, y float64) {
	fmt.Fprintf(p, "0.5 w %s %s m %s %s l S\n", num(x1), num(y), num(x2), num(y))
}

func num(f float64) string { return strconv.FormatFloat(f, 'f', -1, 64) }

// textWidth estimates the width of s at size pt: ASCII is half an em (the /W entry of
// the font below), everything else a full em.
func textWidth(s string, size float64) float64 {
	w := 0.0
	for _, r := range s {
		if r < 0x80 {
			w += size / 2
		} else {
			w += size
		}
	}
	return w
}

// wrap cuts s into lines no wider than width at size pt.
func wrap(s string, size, width float64) []string {
	var lines []string
	line := ""
	for _, r := range s {
		if line != "" && textWidth(line+string(r), size) > width {
			lines, line = append(lines, line), ""
		}
		line += string(r)
	}
	return append(lines, line)
}

// fit cuts s to width at size pt, ending it with "…" when cut.
func fit(s string, size, width float64) string {
	if textWidth(s, size) <= width {
		return s
	}
	return wrap(s, size, width-size)[0] + "…"
}

// onePagePDF wraps a page's content stream in a complete PDF 1.4 file: catalog (1),
// page tree (2), page (3), content (4), Type0 font (5), its CIDFont (6) and font
// descriptor (7), then the cross-reference table of byte offsets and the trailer.
func onePagePDF(content []byte) []byte {
	objects := []string{
		"<< /Type /Catalog /Pages 2 0 R >>",
		"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
		"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Resources << /Font << /F1 5 0 R >> >> /Contents 4 0 R >>",
		fmt.Sprintf("<< /Length %d >>\nstream\n%s\nendstream", len(content), content),
		"<< /Type /Font /Subtype /Type0 /BaseFont /STSong-Light /Encoding /UniGB-UCS2-H /DescendantFonts [6 0 R] >>",
		"<< /Type /Font /Subtype /CIDFontType0 /BaseFont /STSong-Light" +
			" /CIDSystemInfo << /Registry (Adobe) /Ordering (GB1) /Supplement 2 >>" +
			" /FontDescriptor 7 0 R /DW 1000 /W [1 95 500] >>", // CIDs 1–95: half-width ASCII
		"<< /Type /FontDescriptor /FontName /STSong-Light /Flags 6 /FontBBox [-25 -254 1000 880]" +
			" /ItalicAngle 0 /Ascent 880 /Descent -120 /CapHeight 880 /StemV 93 >>",
	}
	var b bytes.Buffer
	b.WriteString("%PDF-1.4\n%\xe2\xe3\xcf\xd3\n") // the binary comment marks the file as binary
	offsets := make([]int, len(objects))
	for i, o := range objects {
		offsets[i] = b.Len()
		fmt.Fprintf(&b, "%d 0 obj\n%s\nendobj\n", i+1, o)
	}
	xref := b.Len()
	fmt.Fprintf(&b, "xref\n0 %d\n0000000000 65535 f \n", len(objects)+1)
	for _, off := range offsets {
		fmt.Fprintf(&b, "%010d 00000 n \n", off) // each entry exactly 20 bytes
	}
	fmt.Fprintf(&b, "trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n", len(objects)+1, xref)
	return b.Bytes()
}

// kindNames are the Chinese names of ledger entry kinds on a certificate.
var kindNames = map[string]string{EntryCredit: "服务", EntryHonour: "荣誉", EntryCorrection: "更正"}

// PDF renders the certificate as a printable one-page A4 PDF. Activities that do not
// fit are counted in a closing line; the totals always cover all of them.
func (c Certificate) PDF() []byte {
	const left, right, body = 60.0, 535.0, 12.0
	var p pdfPage
	date := beijing.Day
	hours := func(h float64) string { return strconv.FormatFloat(h, 'f', -1, 64) }
	title := "志愿服务记录证明"
	p.text((595-textWidth(title, 24))/2, 770, 24, title)
	p.text(right-textWidth("编号："+c.Serial, 10), 740, 10, "编号："+c.Serial)
	y := 705.0
	line := func(s string) {
		for _, l := range wrap(s, body, right-left) {
			p.text(left, y, body, l)
			y -= 22
		}
	}
	line("姓名：" + c.Name)
	line("证件号码：" + c.IDNumberMasked)
	line("登记组织：" + c.Organisation)
	line("服务期间：" + date(c.From) + "至" + date(c.To))
	line(fmt.Sprintf("志愿服务时长：共 %s 小时（服务时长 %s 小时，荣誉时长 %s 小时）",
		hours(c.TotalHours), hours(c.CreditHours), hours(c.HonourHours)))
	y -= 8
	const small, dateX, titleX, hoursX = 10.5, 60.0, 160.0, 465.0
	p.text(dateX, y, small, "日期")
	p.text(titleX, y, small, "服务内容")
	p.text(hoursX, y, small, "时长（小时）")
	p.rule(left, right, y-6)
	y -= 22
	const bottom = 190.0 // room left for the closing lines
	for i, a := range c.Activities {
		if y < bottom {
			p.text(left, y, small, fmt.Sprintf("另有 %d 条记录未列出，已计入上述时长。", len(c.Activities)-i))
			y -= 18
			break
		}
		p.text(dateX, y, small, a.Date.In(beijing.Zone).Format("2006-01-02"))
		p.text(titleX, y, small, fit(a.Title+"（"+kindNames[a.Kind]+"）", small, hoursX-titleX-10))
		p.text(hoursX, y, small, hours(a.Hours))
		y -= 18
	}
	if len(c.Activities) == 0 {
		p.text(left, y, small, "本年度无志愿服务记录。")
		y -= 18
	}
	p.rule(left, right, y+10)
	p.text(left, 150, body, "特此证明。")
	p.text(left, 120, body, fit("出具单位："+c.Issuer, body, right-left))
	p.text(left, 98, body, "出具日期："+date(c.IssuedAt))
	p.text(left, 60, 9, "证明编号 "+c.Serial+"，可凭此编号向出具单位核验。本证明依据平台志愿服务时长记录生成。")
	return onePagePDF(p.Bytes())
}
