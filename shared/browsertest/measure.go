package browsertest

import (
	_ "embed"
	"fmt"
	"strings"
)

//go:embed measure.js
var measureJS string

//go:embed zoom.js
var zoomJS string

// TextZoom is the in-app browser's text size the pages must survive (WeChat's text-size
// setting scales every font size).
const TextZoom = 1.5

// Measurement is what Measure found on a page in one version.
type Measurement struct {
	Elder            bool     `json:"elder"`
	Width            int      `json:"width"`
	Texts            int      `json:"texts"`    // visible elements holding text
	Controls         int      `json:"controls"` // visible links, buttons and fields
	MinFont          float64  `json:"minFont"`  // px
	MaxFont          float64  `json:"maxFont"`
	MinLineHeight    float64  `json:"minLineHeight"` // × the font size
	MinContrast      float64  `json:"minContrast"`   // :1
	MinControlWidth  float64  `json:"minControlWidth"`
	MinControlHeight float64  `json:"minControlHeight"`
	Failures         []string `json:"failures"`
}

// Version names the version the measurement was made in.
func (m Measurement) Version() string {
	if m.Elder {
		return "长辈版"
	}
	return "标准版"
}

func (m Measurement) String() string {
	return fmt.Sprintf("%s: %d texts, font %.0f–%.0f px, line height ≥ %.2f, contrast ≥ %.2f:1; %d controls ≥ %.0f×%.0f px",
		m.Version(), m.Texts, m.MinFont, m.MaxFont, m.MinLineHeight, m.MinContrast, m.Controls, m.MinControlWidth, m.MinControlHeight)
}

// Measure measures the page as it is shown now against the rules of its version:
// texts at least 18 px in 长辈版 (14 px in the standard version) and at most 30 px,
// line height at least 1.3, contrast at least 4.5:1, controls at least 60×60 px (44×44),
// no sideways scrolling; with b.OneColumn, 长辈版 in one column (no two controls of main
// side by side, the seat map excepted). It does not fail the test; Check does.
func (b *Browser) Measure() Measurement {
	b.tb.Helper()
	return Eval[Measurement](b, fmt.Sprintf("(%s)(%t)", strings.TrimSpace(measureJS), b.OneColumn))
}

// ZoomFailures scales every text of the page by factor, as the in-app browser's
// text-size setting does, and returns what then scrolls sideways or overlaps. It
// changes the page: open it again afterwards.
func (b *Browser) ZoomFailures(factor float64) []string {
	b.tb.Helper()
	return Eval[[]string](b, fmt.Sprintf("(%s)(%g)", strings.TrimSpace(zoomJS), factor))
}

// Check measures the page in both versions, switching with the page's own 长辈版
// switch and back, fails the test on any shortfall, saves a screenshot of each version
// with -screenshots DIR (as "<name> 标准版.png", "<name> 长辈版.png"), and returns the
// two measurements, the standard version's first.
func (b *Browser) Check(name string) [2]Measurement {
	b.tb.Helper()
	var out [2]Measurement
	path := b.Path()
	for i := range 2 {
		m := b.CheckShown(name)
		if m.Elder {
			out[1] = m
		} else {
			out[0] = m
		}
		b.Open(path) // undo the zoom
		b.SwitchVersion()
		if i == 1 && b.Path() != path {
			b.tb.Errorf("%s: the 长辈版 switch left %s for %s", name, path, b.Path())
		}
	}
	return out
}

// CheckShown measures the page as it is shown, in its version only, as Check does each
// version: for a page that opening its address again would not bring back (a form's
// answer to a POST). The text zoom it checks changes the page: it is left zoomed.
func (b *Browser) CheckShown(name string) Measurement {
	b.tb.Helper()
	path := b.Path()
	m := b.Measure()
	for _, f := range append(m.Failures, b.Offences()...) {
		b.tb.Errorf("%s (%s, %s): %s", name, path, m.Version(), f)
	}
	b.tb.Logf("%s (%s): %s", name, path, m)
	b.Save(name + " " + m.Version())
	for _, f := range b.ZoomFailures(TextZoom) {
		b.tb.Errorf("%s (%s, %s): %s", name, path, m.Version(), f)
	}
	return m
}

// SwitchVersion presses the 长辈版 switch at the top of the page.
func (b *Browser) SwitchVersion() {
	b.tb.Helper()
	b.Click("header.top form.mode button")
}

// Elder reports whether the page is shown in 长辈版.
func (b *Browser) Elder() bool {
	b.tb.Helper()
	return Eval[bool](b, "document.documentElement.classList.contains('elder')")
}
