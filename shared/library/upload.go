package library

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"image"
	_ "image/gif" // decoders for thumbnails
	"image/jpeg"
	_ "image/png"
	"io"
	"time"

	"golang.org/x/image/draw"
	_ "golang.org/x/image/webp"

	"github.com/wentitong/wentitong/shared/auth"
)

// Upload is what a client needs to send a file: the media record (uploading) and where
// and how to PUT the bytes.
type Upload struct {
	Media     Media             `json:"media"`
	URL       string            `json:"uploadUrl"`
	Method    string            `json:"method"`
	Headers   map[string]string `json:"headers"`
	ExpiresAt time.Time         `json:"expiresAt"`
}

// StartUpload announces a file for an item and returns a presigned PUT for it. The
// declared type and size are checked here (ErrTypeNotAllowed, ErrTooLarge, ErrFilename,
// ErrTooManyMedia); the file as stored is checked again by Process.
func (s *Service) StartUpload(ctx context.Context, c auth.Claims, itemID, filename, contentType string, size int64) (Upload, error) {
	it, err := s.editable(ctx, c, itemID)
	if err != nil {
		return Upload{}, err
	}
	rule, err := RuleFor(contentType)
	if err != nil {
		return Upload{}, err
	}
	if size <= 0 || size > rule.MaxBytes {
		return Upload{}, ErrTooLarge(rule)
	}
	name, err := cleanFilename(filename)
	if err != nil {
		return Upload{}, err
	}
	existing, err := s.Store.Media(ctx, itemID)
	if err != nil {
		return Upload{}, err
	}
	live := 0
	for _, m := range existing {
		if m.Status != MediaRejected {
			live++
		}
	}
	if live >= MaxMediaPerItem {
		return Upload{}, ErrTooManyMedia
	}
	now := s.Now()
	m := Media{ID: "m-" + s.NewID(), ItemID: it.ID, Type: rule.Type, ContentType: contentType, Filename: name,
		Size: size, Status: MediaUploading, By: actor(c), CreatedAt: now}
	m.Key = mediaKey(it.InstitutionID, it.ID, m.ID, name)
	a := Audit{InstitutionID: it.InstitutionID, At: now, By: actor(c), Action: "media.upload", Target: "media:" + m.ID,
		Detail: fmt.Sprintf("%s（%s，%s）", name, contentType, HumanBytes(size))}
	if err := s.Store.AddMedia(ctx, m, a); err != nil {
		return Upload{}, fmt.Errorf("start upload: %w", err)
	}
	url, headers, err := s.Objects.PresignPut(ctx, m.Key, contentType, size, s.uploadTTL())
	if err != nil {
		return Upload{}, errUnavailable("presign upload", err)
	}
	return Upload{Media: m, URL: url, Method: "PUT", Headers: headers, ExpiresAt: now.Add(s.uploadTTL())}, nil
}

// Thumbnails are at most this wide and high, in JPEG.
const (
	thumbMax     = 480
	thumbQuality = 80
	// maxPixels bounds the images decoded for thumbnails (a decompression bomb of a few
	// kilobytes can declare gigapixels).
	maxPixels = 50_000_000
)

// Process checks a file the bucket has received under key (the bucket's notification,
// or the local runner's stand-in for it): its stored size and its first bytes against
// its kind's rule. A file that passes is made ready (images get a thumbnail) and counted
// in its institution's storage; one that fails is deleted and its record rejected with
// the reason. Keys that are not media files, unknown media and records no longer
// uploading are ignored, so a repeated notification changes nothing. An error means
// the notification should be retried.
func (s *Service) Process(ctx context.Context, key string) error {
	itemID, mediaID, ok := ParseMediaKey(key)
	if !ok {
		return nil
	}
	m, err := s.Store.OneMedia(ctx, itemID, mediaID)
	if errors.Is(err, ErrMediaNotFound) {
		s.Log.Warn("upload of unknown media: deleted", "key", key)
		return s.Objects.Delete(ctx, key)
	}
	if err != nil {
		return err
	}
	if m.Status != MediaUploading || m.Key != key {
		return nil
	}
	it, err := s.Store.Item(ctx, itemID)
	if errors.Is(err, ErrItemNotFound) {
		return s.Objects.Delete(ctx, key) // the item was deleted while the file was on its way
	}
	if err != nil {
		return err
	}
	rule, err := RuleFor(m.ContentType)
	if err != nil {
		return s.reject(ctx, it, m, "不支持的文件类型")
	}
	size, err := s.Objects.Head(ctx, key)
	if errors.Is(err, ErrObjectMissing) {
		return nil // a late duplicate notification after a rejection
	}
	if err != nil {
		return err
	}
	head, err := s.Objects.ReadRange(ctx, key, 0, 512)
	if err != nil {
		return err
	}
	if why := rule.Check(m.Size, size, head); why != "" {
		return s.reject(ctx, it, m, why)
	}
	m.Size = size
	if m.Type == MediaImage {
		if why, err := s.thumbnail(ctx, &m); err != nil {
			return err
		} else if why != "" {
			return s.reject(ctx, it, m, why)
		}
	}
	scopes, err := s.scopes(ctx, it.InstitutionID)
	if err != nil {
		return err
	}
	m.Status, m.ReadyAt = MediaReady, s.Now()
	a := Audit{InstitutionID: it.InstitutionID, At: m.ReadyAt, By: "system", Action: "media.ready", Target: "media:" + m.ID,
		Detail: fmt.Sprintf("%s（%s）", m.Filename, HumanBytes(m.Stored()))}
	if _, err := s.Store.MediaReady(ctx, m, scopes, a); err != nil {
		return fmt.Errorf("media %s ready: %w", m.ID, err)
	}
	return nil
}

// reject deletes the stored file and records why.
func (s *Service) reject(ctx context.Context, it Item, m Media, why string) error {
	if err := s.Objects.Delete(ctx, m.Key); err != nil {
		return err
	}
	if m.ThumbKey != "" {
		if err := s.Objects.Delete(ctx, m.ThumbKey); err != nil {
			return err
		}
	}
	m.Status, m.Reason, m.ThumbKey, m.ThumbSize = MediaRejected, why, "", 0
	a := Audit{InstitutionID: it.InstitutionID, At: s.Now(), By: "system", Action: "media.reject", Target: "media:" + m.ID, Detail: m.Filename + "：" + why}
	s.Log.Info("upload rejected", "media", m.ID, "reason", why)
	_, err := s.Store.MediaRejected(ctx, m, a)
	return err
}

// thumbnail decodes an image and stores its thumbnail, setting the media's dimensions
// and thumbnail; why is set when the file is not a usable image.
func (s *Service) thumbnail(ctx context.Context, m *Media) (why string, err error) {
	rc, err := s.Objects.Open(ctx, m.Key)
	if err != nil {
		return "", err
	}
	defer rc.Close()
	raw, err := io.ReadAll(io.LimitReader(rc, m.Size+1))
	if err != nil {
		return "", err
	}
	cfg, _, err := image.DecodeConfig(bytes.NewReader(raw))
	if err != nil {
		return "图片无法解码", nil
	}
	if cfg.Width <= 0 || cfg.Height <= 0 || cfg.Width*cfg.Height > maxPixels {
		return fmt.Sprintf("图片尺寸（%d×%d）超过 5000 万像素", cfg.Width, cfg.Height), nil
	}
	img, _, err := image.Decode(bytes.NewReader(raw))
	if err != nil {
		return "图片无法解码", nil
	}
	thumb, err := Thumbnail(img)
	if err != nil {
		return "", err
	}
	m.Width, m.Height = cfg.Width, cfg.Height
	m.ThumbKey, m.ThumbSize = thumbKey(m.ID), int64(len(thumb))
	if err := s.Objects.Put(ctx, m.ThumbKey, "image/jpeg", thumb); err != nil {
		return "", err
	}
	return "", nil
}

// Thumbnail scales an image to fit in thumbMax×thumbMax (never up) and encodes it as
// JPEG.
func Thumbnail(img image.Image) ([]byte, error) {
	b := img.Bounds()
	w, h := b.Dx(), b.Dy()
	if w > thumbMax || h > thumbMax {
		if w >= h {
			w, h = thumbMax, max(1, h*thumbMax/w)
		} else {
			w, h = max(1, w*thumbMax/h), thumbMax
		}
	}
	dst := image.NewRGBA(image.Rect(0, 0, w, h))
	draw.CatmullRom.Scale(dst, dst.Bounds(), img, b, draw.Src, nil)
	var buf bytes.Buffer
	if err := jpeg.Encode(&buf, dst, &jpeg.Options{Quality: thumbQuality}); err != nil {
		return nil, fmt.Errorf("thumbnail: %w", err)
	}
	return buf.Bytes(), nil
}
