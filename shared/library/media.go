package library

import (
	"fmt"
	"net/http"
	"path"
	"slices"
	"strings"
	"time"
	"unicode"

	"github.com/wentitong/wentitong/shared/fault"
)

// MediaType is the kind of a media file.
type MediaType string

// The kinds of media.
const (
	MediaImage MediaType = "image"
	MediaAudio MediaType = "audio"
	MediaVideo MediaType = "video"
	MediaPDF   MediaType = "pdf"
)

// MediaStatus is where an upload is: announced and waiting for the file, checked and
// ready, or rejected (the file is gone, Reason says why).
type MediaStatus string

// The statuses of a media file.
const (
	MediaUploading MediaStatus = "uploading"
	MediaReady     MediaStatus = "ready"
	MediaRejected  MediaStatus = "rejected"
)

// Media is one file of an item, stored in the bucket under Key.
type Media struct {
	ID          string      `json:"id"`
	ItemID      string      `json:"itemId"`
	Type        MediaType   `json:"type"`
	ContentType string      `json:"contentType"`
	Filename    string      `json:"filename"`
	Size        int64       `json:"size"` // declared, then as stored
	Key         string      `json:"-"`
	ThumbKey    string      `json:"-"`
	ThumbSize   int64       `json:"-"`
	Width       int         `json:"width,omitempty"`
	Height      int         `json:"height,omitempty"`
	Status      MediaStatus `json:"status"`
	Reason      string      `json:"reason,omitempty"` // why it was rejected, in Chinese
	By          string      `json:"-"`                // who uploaded it
	CreatedAt   time.Time   `json:"createdAt"`
	ReadyAt     time.Time   `json:"readyAt,omitzero"`
}

// Stored is the bytes the media occupies in the bucket: the file and its thumbnail.
func (m Media) Stored() int64 { return m.Size + m.ThumbSize }

// Rule is what the library accepts for one kind of media: the content types a client may
// declare, the types the file's first bytes may be sniffed as (net/http's
// DetectContentType), and the largest size.
type Rule struct {
	Type     MediaType
	Declared []string
	Sniffed  []string
	MaxBytes int64
}

// Rules are the accepted media, by kind.
var Rules = []Rule{
	{MediaImage, []string{"image/jpeg", "image/png", "image/webp", "image/gif"},
		[]string{"image/jpeg", "image/png", "image/webp", "image/gif"}, 20 << 20},
	{MediaAudio, []string{"audio/mpeg", "audio/mp4", "audio/wav", "audio/ogg"},
		[]string{"audio/mpeg", "video/mp4", "audio/wave", "application/ogg", "audio/ogg"}, 300 << 20},
	{MediaVideo, []string{"video/mp4", "video/webm"},
		[]string{"video/mp4", "video/webm"}, 2 << 30},
	{MediaPDF, []string{"application/pdf"}, []string{"application/pdf"}, 200 << 20},
}

// MaxMediaPerItem is how many files one item may have.
const MaxMediaPerItem = 50

// Errors of uploads.
var (
	ErrTypeNotAllowed = fault.New(fault.Invalid, "media_type_not_allowed", "不支持的文件类型：只能上传常见格式的图片、音频、视频和便携文档")
	ErrFilename       = fault.New(fault.Invalid, "filename_invalid", "文件名为 1 到 100 个字符，不能包含路径")
	ErrTooManyMedia   = fault.New(fault.Conflict, "too_many_media", "每个资源最多 50 个文件")
	ErrMediaNotFound  = fault.New(fault.NotFound, "media_not_found", "找不到该文件")
)

// ErrTooLarge returns the error for a file over its kind's limit.
func ErrTooLarge(r Rule) *fault.Error {
	return fault.New(fault.Invalid, "media_too_large", fmt.Sprintf("文件过大：%s不超过 %s", typeName[r.Type], HumanBytes(r.MaxBytes)))
}

var typeName = map[MediaType]string{MediaImage: "图片", MediaAudio: "音频", MediaVideo: "视频", MediaPDF: "PDF 文档"}

// RuleFor returns the rule of a declared content type, or ErrTypeNotAllowed.
func RuleFor(contentType string) (Rule, error) {
	ct := strings.ToLower(strings.TrimSpace(contentType))
	for _, r := range Rules {
		if slices.Contains(r.Declared, ct) {
			return r, nil
		}
	}
	return Rule{}, ErrTypeNotAllowed
}

// Check is the server's verdict on a file as stored: "" when it may be kept, else the
// reason (in Chinese) it is rejected. size is what the bucket holds, head the file's
// first bytes (up to 512).
func (r Rule) Check(declaredSize, size int64, head []byte) string {
	switch {
	case size > r.MaxBytes:
		return fmt.Sprintf("文件过大（%s），%s不超过 %s", HumanBytes(size), typeName[r.Type], HumanBytes(r.MaxBytes))
	case size == 0:
		return "文件为空"
	case size != declaredSize:
		return fmt.Sprintf("文件大小（%d 字节）与申报的（%d 字节）不一致", size, declaredSize)
	}
	sniffed, _, _ := strings.Cut(http.DetectContentType(head), ";")
	if !slices.Contains(r.Sniffed, sniffed) {
		return fmt.Sprintf("文件内容（%s）不是申报的%s类型", sniffed, typeName[r.Type])
	}
	return ""
}

// HumanBytes is a size as people read it: 2.5 MB, 25 TB.
func HumanBytes(n int64) string {
	switch {
	case n >= 1<<40:
		return trimZero(fmt.Sprintf("%.1f", float64(n)/(1<<40))) + " TB"
	case n >= 1<<30:
		return trimZero(fmt.Sprintf("%.1f", float64(n)/(1<<30))) + " GB"
	case n >= 1<<20:
		return trimZero(fmt.Sprintf("%.1f", float64(n)/(1<<20))) + " MB"
	case n >= 1<<10:
		return trimZero(fmt.Sprintf("%.1f", float64(n)/(1<<10))) + " KB"
	}
	return fmt.Sprintf("%d 字节", n)
}

func trimZero(s string) string { return strings.TrimSuffix(s, ".0") }

// cleanFilename returns the file's name without any path, or ErrFilename.
func cleanFilename(name string) (string, error) {
	name = strings.TrimSpace(name)
	if name == "" || len([]rune(name)) > 100 || strings.ContainsAny(name, `/\`) || name == "." || name == ".." {
		return "", ErrFilename
	}
	for _, r := range name {
		if unicode.IsControl(r) {
			return "", ErrFilename
		}
	}
	return name, nil
}

// The bucket's key layout. Media files live under media/, their thumbnails under
// thumbs/; the upload processor is told of objects created under media/ only.
const (
	MediaPrefix = "media/"
	ThumbPrefix = "thumbs/"
)

// mediaKey is where a media file is stored: media/<institution>/<item>/<media>/<ext>.
// The file's own name is kept on the record, not in the key, so keys are plain ASCII.
func mediaKey(institutionID, itemID, mediaID, filename string) string {
	ext := strings.ToLower(path.Ext(filename))
	if len(ext) > 8 || strings.ContainsFunc(ext[min(1, len(ext)):], func(r rune) bool { return !unicode.IsLetter(r) && !unicode.IsDigit(r) }) {
		ext = ""
	}
	return MediaPrefix + institutionID + "/" + itemID + "/" + mediaID + "/file" + ext
}

// ParseMediaKey returns the item and media a key of mediaKey's form belongs to.
func ParseMediaKey(key string) (itemID, mediaID string, ok bool) {
	rest, found := strings.CutPrefix(key, MediaPrefix)
	if !found {
		return "", "", false
	}
	parts := strings.Split(rest, "/")
	if len(parts) != 4 || parts[1] == "" || parts[2] == "" {
		return "", "", false
	}
	return parts[1], parts[2], true
}

func thumbKey(mediaID string) string { return ThumbPrefix + mediaID + ".jpg" }
