package admin

import (
	"strings"
	"testing"

	"github.com/wentitong/wentitong/shared/directory"
	"github.com/wentitong/wentitong/shared/library"
)

// The storage chart shows the city's, each county's and each institution's bytes
// against their targets, and a county's report only that county's.
func TestStorageChart(t *testing.T) {
	st := library.StorageReport{
		City: library.StorageLine{ID: "city", Name: "全市", Bytes: 3 << 20, Objects: 4, Human: "3 MB"},
		Institutions: []library.StorageLine{
			{ID: "zz-library", Name: "株洲市图书馆", Bytes: 2 << 20, Objects: 3, Human: "2 MB", TargetBytes: library.CityLibraryTarget, Percent: 0.001},
			{ID: "youxian-library", Name: "攸县图书馆", County: "430223", Bytes: 1 << 20, Objects: 1, Human: "1 MB", TargetBytes: library.CountyLibraryTarget, Percent: 0.002},
			{ID: "zz-museum", Name: "株洲市博物馆", Human: "0 字节"},
		},
		Counties: []library.StorageLine{{ID: "430223", Name: "攸县", Bytes: 1 << 20, Objects: 1, Human: "1 MB", TargetBytes: library.CountyLibraryTarget, Percent: 0.002}},
	}
	city, ok := storageChart(st, directory.District{ID: "430200", Level: directory.LevelCity, Path: "430200"})
	if !ok || len(city.Rows) != 5 {
		t.Fatalf("city chart = %+v, want the city, a county and three institutions", city)
	}
	text := func(ch Chart) string {
		var b strings.Builder
		for _, r := range ch.Rows {
			b.WriteString(r.Label + "：" + r.Bars[0].Text + "\n")
		}
		return b.String()
	}
	for _, want := range []string{"全市（合计）：已用 3 MB，4 个文件\n", "株洲市图书馆：已用 2 MB，3 个文件，为目标 25 TB 的 0.001%",
		"攸县（县级合计）：已用 1 MB，1 个文件，为目标 3 TB 的 0.002%", "株洲市博物馆：已用 0 字节，0 个文件\n"} {
		if !strings.Contains(text(city), want) {
			t.Errorf("city chart:\n%s\nwant %q", text(city), want)
		}
	}
	if !strings.Contains(city.Note, "25 TB") || !strings.Contains(city.Note, "3 TB") {
		t.Errorf("note = %q, want both targets", city.Note)
	}
	county, ok := storageChart(st, directory.District{ID: "430223", Level: directory.LevelCounty, Path: "430200/430223"})
	if got := text(county); !ok || got != "攸县（县级合计）：已用 1 MB，1 个文件，为目标 3 TB 的 0.002%\n攸县图书馆：已用 1 MB，1 个文件，为目标 3 TB 的 0.002%\n" {
		t.Errorf("攸县's chart = %q", got)
	}
	if _, ok := storageChart(st, directory.District{ID: "430225", Level: directory.LevelCounty, Path: "430200/430225"}); ok {
		t.Errorf("a county without libraries has a storage chart")
	}
}
