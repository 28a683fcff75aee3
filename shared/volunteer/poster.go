package volunteer

import (
	"errors"
	"fmt"

	"github.com/wentitong/wentitong/shared/beijing"
	"github.com/wentitong/wentitong/shared/qr"
)

// ErrPosterUnavailable is a shift whose code's text was not kept (one created before
// posters were drawn): its code can only be shown from WeChat's image.
var ErrPosterUnavailable = errors.New("the shift's QR code text is not kept")

// PosterPDF is the shift's A4 poster to print and put up at the venue: the venue, the
// shift and its time, and the shift's QR code, drawn as vector squares so that it prints
// sharp at any size, which volunteers scan with WeChat to check in and out.
func (s Shift) PosterPDF(venue string) ([]byte, error) {
	if s.QRText == "" {
		return nil, ErrPosterUnavailable
	}
	code, err := qr.New(s.QRText)
	if err != nil {
		return nil, fmt.Errorf("shift poster: %w", err)
	}
	var p pdfPage
	center := func(y, size float64, t string) { p.text((595-textWidth(t, size))/2, y, size, t) }
	center(770, 30, "志愿服务签到")
	center(728, 18, fit(venue, 18, 500))
	center(698, 16, fit(s.Title, 16, 500))
	start, end := s.StartsAt.In(beijing.Zone), s.EndsAt.In(beijing.Zone)
	center(670, 14, start.Format("2006年1月2日 15:04")+" 至 "+end.Format("1月2日 15:04"))
	// The code: 360 pt square, centred, its quiet zone included.
	const size, top = 360.0, 640.0
	m := size / float64(code.Size)
	x0 := (595 - size) / 2
	p.WriteString("0 g\n")
	for _, r := range code.Runs {
		fmt.Fprintf(&p, "%s %s %s %s re\n", num(x0+float64(r.X)*m), num(top-float64(r.Y+1)*m), num(float64(r.Len)*m), num(m))
	}
	p.WriteString("f\n")
	center(240, 16, "用微信「扫一扫」扫描上方二维码")
	center(214, 16, "到岗时扫码签到，离岗时再扫一次签退")
	center(170, 12, "班次编号 "+s.ShortID())
	center(80, 10, "二维码在班次结束一天后失效。请勿遮挡、涂改。")
	return onePagePDF(p.Bytes()), nil
}

// ShortID is the first eight characters of the shift's id, for people to read out.
func (s Shift) ShortID() string {
	if len(s.ID) > 8 {
		return s.ID[:8]
	}
	return s.ID
}
