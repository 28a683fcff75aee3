// Package h5 is the foundation of the platform's H5 pages, the web pages residents and
// staff open inside WeChat: server-rendered html/template pages in one layout (with the
// 长辈版 switch on every page), fingerprinted embedded assets, sign-in by WeChat web
// authorisation into a cookie session that carries an auth.Service token, and CSRF
// protection of every state-changing request.
//
// A package of pages (shared/h5/resident, the staff console, …) embeds its templates,
// parses them with Site.Parse, and registers its handlers wrapped by Site.Page (anyone),
// Site.Private (signed in, optionally with a role) or Site.Action (a signed-in POST,
// CSRF-checked). docs/pages.md walks through adding a page.
package h5
