package demo

import (
	"bytes"
	"context"
	"encoding/binary"
	"fmt"
	"image"
	"image/color"
	"image/png"
	"math"

	"github.com/wentitong/wentitong/shared/app"
	"github.com/wentitong/wentitong/shared/auth"
	"github.com/wentitong/wentitong/shared/directory"
	"github.com/wentitong/wentitong/shared/institution"
	"github.com/wentitong/wentitong/shared/library"
	"github.com/wentitong/wentitong/shared/news"
)

// LibraryStaff is the demo's librarian at 株洲市图书馆, who catalogues its collections.
const LibraryStaff = "o-staff-library"

// institutions are the demo's culture institutions that own collections.
var institutions = []institution.Institution{
	{ID: "zz-library", Name: "株洲市图书馆", Kind: institution.KindLibrary, Level: directory.LevelCity, DistrictID: "430211001"},
	{ID: "zz-museum", Name: "株洲市博物馆", Kind: institution.KindMuseum, Level: directory.LevelCity, DistrictID: "430202001"},
	{ID: "youxian-library", Name: "攸县图书馆", Kind: institution.KindLibrary, Level: directory.LevelCounty, DistrictID: "430223001"},
}

// demoMedia is a file the demo generates for an item.
type demoMedia struct {
	filename, contentType string
	make                  func() ([]byte, error)
}

// demoItem is an item of a demo collection and the files it comes with.
type demoItem struct {
	edit  library.Edit
	media []demoMedia
}

var demoCollections = []struct {
	institution, name, description string
	items                          []demoItem
}{
	{"zz-museum", "醴陵釉下五彩瓷", "醴陵釉下五彩瓷的器物影像、烧制技艺与窑址资料，国家级非物质文化遗产。", []demoItem{
		{library.Edit{Title: "醴陵釉下五彩瓷《扁豆双禽瓶》", Creators: []string{"熊凯"}, Date: "1915", DateText: "民国四年",
			Subjects: []string{"醴陵瓷器", "釉下五彩", "非物质文化遗产"}, DistrictID: "430281", Rights: "institution", Licence: "CC-BY-NC-4.0",
			Description: "1915 年巴拿马太平洋万国博览会金奖作品，醴陵瓷业公司出品。瓶身以扁豆与双禽为饰，釉下五彩色泽温润，是醴陵釉下五彩瓷的代表作。"},
			[]demoMedia{{"扁豆双禽瓶.png", "image/png", func() ([]byte, error) { return vasePNG(color.RGBA{46, 125, 90, 255}) }}}},
		{library.Edit{Title: "釉下五彩烧制技艺", Creators: []string{"醴陵市非物质文化遗产保护中心"}, Date: "2019", Subjects: []string{"醴陵瓷器", "传统技艺"},
			DistrictID: "430281", Rights: "institution", Licence: "CC-BY-NC-4.0",
			Description: "记录醴陵釉下五彩瓷从拉坯、利坯、分水、彩绘到 1380 ℃ 高温一次烧成的全过程。"},
			[]demoMedia{{"烧制技艺.png", "image/png", func() ([]byte, error) { return vasePNG(color.RGBA{196, 74, 58, 255}) }}}},
	}},
	{"youxian-library", "攸县民歌", "攸县山歌、劳动号子与婚嫁歌的录音和曲谱，由攸县图书馆采录整理。", []demoItem{
		{library.Edit{Title: "攸县山歌《插秧歌》", Creators: []string{"攸县文化馆"}, Date: "1983", DateText: "上世纪八十年代",
			Subjects: []string{"攸县民歌", "山歌", "劳动歌"}, DistrictID: "430223", Rights: "institution", Licence: "CC-BY-NC-4.0",
			Description: "春耕插秧时田间对唱的山歌，一领众和，节奏明快。录音为采录时的原唱片段。"},
			[]demoMedia{{"插秧歌.wav", "audio/wav", func() ([]byte, error) { return melodyWAV([]int{0, 2, 4, 7, 4, 2, 0, 9, 7, 4}), nil }}}},
		{library.Edit{Title: "攸县哭嫁歌", Creators: []string{"攸县图书馆"}, Date: "2008", Subjects: []string{"攸县民歌", "婚俗"},
			DistrictID: "430223", Rights: "institution", Licence: "CC-BY-NC-4.0",
			Description: "新娘出嫁前与母亲、姐妹对唱的哭嫁歌，诉说养育之恩与离别之情。"},
			[]demoMedia{{"哭嫁歌.wav", "audio/wav", func() ([]byte, error) { return melodyWAV([]int{9, 7, 4, 2, 4, 2, 0, 0}), nil }}}},
	}},
	{"zz-library", "炎帝传说", "株洲炎陵县炎帝陵一带流传的炎帝神农氏传说故事、祭祀与地方文献。", []demoItem{
		{library.Edit{Title: "炎帝神农氏尝百草", Creators: []string{"株洲市图书馆"}, Date: "2016", Subjects: []string{"炎帝传说", "神农", "民间故事"},
			DistrictID: "430225", Rights: "institution", Licence: "CC-BY-NC-4.0",
			Description: "炎帝神农氏遍尝百草、教民稼穑、崩葬于长沙茶乡之尾（今炎陵县）的传说，据地方志与民间口述整理。"},
			[]demoMedia{{"尝百草.png", "image/png", func() ([]byte, error) { return vasePNG(color.RGBA{120, 96, 40, 255}) }}}},
		{library.Edit{Title: "炎帝陵祭典", Creators: []string{"炎陵县文化馆"}, Date: "2021-10-14", Subjects: []string{"炎帝传说", "祭祀"},
			DistrictID: "430225", Rights: "institution", Licence: "CC-BY-NC-4.0",
			Description: "炎帝陵公祭典礼的仪程、祭文与鼓乐，附祭典现场的编钟乐录音。"},
			[]demoMedia{{"祭典鼓乐.wav", "audio/wav", func() ([]byte, error) { return melodyWAV([]int{0, 0, 7, 7, 5, 4, 2, 0}), nil }}}},
	}},
}

// SeedLibrary writes the demo's institutions, their collections and items with media
// the demo generates (pictures and short recordings), and two news articles, through
// the library's and the news centre's services: the files go through the same upload,
// check and thumbnail as staff's. The local runner calls it after Seed (tests of other
// features seed without it, and make institutions of their own). It needs the app's
// bucket; without one it does nothing.
func SeedLibrary(ctx context.Context, a *app.App, s *Summary) error {
	if a.Bucket == nil {
		return nil
	}
	parts, err := a.Library()
	if err != nil {
		return err
	}
	admin := auth.Claims{OpenID: "o-demo-admin", Roles: []string{auth.RoleAdmin}}
	for _, inst := range institutions {
		if _, err := parts.Institutions.Create(ctx, admin, inst); err != nil {
			return fmt.Errorf("seed institution %s: %w", inst.Name, err)
		}
	}
	if err := parts.Institutions.Assign(ctx, admin, "zz-library", LibraryStaff); err != nil {
		return fmt.Errorf("seed librarian: %w", err)
	}
	first := map[string]library.Item{} // each collection's first item
	firstMedia := map[string]string{}
	for _, c := range demoCollections {
		col, err := parts.Library.CreateCollection(ctx, admin, library.Collection{InstitutionID: c.institution, Name: c.name, Description: c.description})
		if err != nil {
			return fmt.Errorf("seed collection %s: %w", c.name, err)
		}
		s.Collections++
		for i, spec := range c.items {
			it, err := parts.Library.CreateItem(ctx, admin, col.ID, spec.edit)
			if err != nil {
				return fmt.Errorf("seed item %s: %w", spec.edit.Title, err)
			}
			for _, m := range spec.media {
				id, err := seedMedia(ctx, parts.Library, parts.Bucket, admin, it.ID, m)
				if err != nil {
					return fmt.Errorf("seed media %s: %w", m.filename, err)
				}
				if i == 0 && firstMedia[c.name] == "" && m.contentType == "image/png" {
					firstMedia[c.name] = id
				}
				s.Media++
			}
			if it, err = parts.Library.Publish(ctx, admin, it.ID); err != nil {
				return fmt.Errorf("seed item %s: %w", spec.edit.Title, err)
			}
			if i == 0 {
				first[c.name] = it
			}
			s.Items++
		}
	}
	porcelain, songs := first["醴陵釉下五彩瓷"], first["攸县民歌"]
	for _, d := range []news.Draft{
		{InstitutionID: "zz-museum", Title: "醴陵釉下五彩瓷数字资源库上线", Category: "heritage",
			Summary: "百年金奖瓷瓶《扁豆双禽瓶》和釉下五彩烧制技艺可在线观看。",
			Body:    "株洲市博物馆完成馆藏醴陵釉下五彩瓷的高清数字化，首批上线器物影像与烧制技艺资料。市民可在“文化株洲”公众号回复“搜 醴陵瓷器”查找，或关注该资源库，新资源上线时将收到提醒。",
			ItemIDs: []string{porcelain.ID}, CoverItemID: porcelain.ID, CoverMediaID: firstMedia["醴陵釉下五彩瓷"]},
		{InstitutionID: "youxian-library", Title: "攸县民歌录音首批公开", Category: "culture",
			Summary: "插秧歌、哭嫁歌等攸县民歌录音可在线收听。",
			Body:    "攸县图书馆整理上世纪八十年代以来采录的攸县民歌，首批公开山歌、哭嫁歌录音及说明文字，欢迎市民收听并提供线索。",
			ItemIDs: []string{songs.ID}},
	} {
		art, err := parts.News.Create(ctx, admin, d)
		if err != nil {
			return fmt.Errorf("seed article %s: %w", d.Title, err)
		}
		if _, err := parts.News.Publish(ctx, admin, art.ID); err != nil {
			return fmt.Errorf("seed article %s: %w", d.Title, err)
		}
		s.News++
	}
	return nil
}

// seedMedia uploads a generated file as staff would: announced, stored under the
// presigned key, then checked by the processor the bucket's notification runs.
func seedMedia(ctx context.Context, lib *library.Service, objects library.Objects, c auth.Claims, itemID string, m demoMedia) (string, error) {
	body, err := m.make()
	if err != nil {
		return "", err
	}
	up, err := lib.StartUpload(ctx, c, itemID, m.filename, m.contentType, int64(len(body)))
	if err != nil {
		return "", err
	}
	if err := objects.Put(ctx, up.Media.Key, m.contentType, body); err != nil {
		return "", err
	}
	return up.Media.ID, lib.Process(ctx, up.Media.Key)
}

// vasePNG draws a vase in glaze on a paper-coloured ground, with a band of flowers:
// 640×480, a few kilobytes.
func vasePNG(glaze color.RGBA) ([]byte, error) {
	const w, h = 640, 480
	img := image.NewRGBA(image.Rect(0, 0, w, h))
	for y := range h {
		// The vase's half-width at height y: a neck, a shoulder and a belly.
		t := float64(y-40) / 400
		half := 0.0
		if t >= 0 && t <= 1 {
			half = 40 + 130*math.Sin(math.Pi*math.Pow(t, 0.8)) - 30*math.Exp(-t*12)
		}
		for x := range w {
			c := color.RGBA{240, 232, 214, 255}
			dx := math.Abs(float64(x - w/2))
			if dx < half {
				shade := 1 - 0.35*dx/half
				c = color.RGBA{uint8(float64(glaze.R) * shade), uint8(float64(glaze.G) * shade), uint8(float64(glaze.B) * shade), 255}
				if t > 0.45 && t < 0.6 && (x/24+y/24)%2 == 0 { // the band of flowers
					c = color.RGBA{250, 246, 236, 255}
				}
			}
			img.Set(x, y, c)
		}
	}
	var buf bytes.Buffer
	if err := png.Encode(&buf, img); err != nil {
		return nil, err
	}
	return buf.Bytes(), nil
}

// melodyWAV plays a tune in the pentatonic scale (semitones above A3), half a second a
// note, as 8 kHz 16-bit mono PCM in a WAV file: about 8 KB a second.
func melodyWAV(notes []int) []byte {
	const rate, perNote = 8000, 4000
	samples := make([]int16, 0, len(notes)*perNote)
	for _, n := range notes {
		f := 220 * math.Pow(2, float64(n)/12)
		for i := range perNote {
			env := math.Min(1, float64(i)/200) * math.Exp(-3*float64(i)/perNote)
			v := env * (0.6*math.Sin(2*math.Pi*f*float64(i)/rate) + 0.2*math.Sin(4*math.Pi*f*float64(i)/rate))
			samples = append(samples, int16(v*12000))
		}
	}
	var buf bytes.Buffer
	data := len(samples) * 2
	buf.WriteString("RIFF")
	_ = binary.Write(&buf, binary.LittleEndian, uint32(36+data))
	buf.WriteString("WAVEfmt ")
	for _, v := range []any{uint32(16), uint16(1), uint16(1), uint32(rate), uint32(rate * 2), uint16(2), uint16(16)} {
		_ = binary.Write(&buf, binary.LittleEndian, v) // a bytes.Buffer takes every write
	}
	buf.WriteString("data")
	_ = binary.Write(&buf, binary.LittleEndian, uint32(data))
	_ = binary.Write(&buf, binary.LittleEndian, samples)
	return buf.Bytes()
}
