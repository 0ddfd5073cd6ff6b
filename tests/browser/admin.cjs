// SPDX-License-Identifier: ISC
// admin.cjs: the web admin in Chromium (see admin.sh).  Every step waits
// for a state (a URL, an element, a file with a bound), never a delay.
'use strict';
const path = require('path');
const fs = require('fs');
const { execFileSync } = require('child_process');
const mods = path.join(process.env.KILN_SRC, 'tests', 'node_modules');
const { chromium } = require(path.join(mods, 'playwright-core'));
const axeSource = require(path.join(mods, 'axe-core')).source;

const BASE = process.env.BASE;
const SITE = process.env.SITE;
const SHOTS = process.env.SHOTS;
const NOW = Date.parse(process.env.NOW);

let failed = false;
function ok(msg) { console.log('ok - ' + msg); }
function check(cond, msg) {
	if (!cond)
		throw new Error(msg);
}

/* poll COND (async) every 100 ms, at most SECS seconds */
async function until(cond, secs, what) {
	for (let i = 0; i < secs * 10; i++) {
		if (await cond())
			return;
		await new Promise((r) => setTimeout(r, 100));
	}
	throw new Error('never happened: ' + what);
}

function deployed(p) {
	const f = path.join(SITE, '.kiln', 'www', p, 'index.html');
	return fs.existsSync(f) ? fs.readFileSync(f, 'utf8') : '';
}

/* axe-core on the current screen: no serious or critical violation */
async function axe(page, name) {
	await page.evaluate(axeSource);
	const r = await page.evaluate(async () =>
	    await window.axe.run(document, { resultTypes: ['violations'] }));
	const bad = r.violations.filter((v) =>
	    v.impact === 'serious' || v.impact === 'critical');
	check(bad.length === 0, name + ': axe: ' + bad.map((v) => v.id + ' (' +
	    v.impact + '): ' + v.nodes.map((n) => n.target.join(' ')).join(', ')).join('; '));
	ok(name + ': axe-core finds no serious or critical violation');
}

async function shot(page, name) {
	await page.screenshot({ path: path.join(SHOTS, name + '.png'), fullPage: true });
}

async function login(page, user, pw) {
	await page.goto(BASE + '/admin/login');
	await page.getByLabel('User name').fill(user);
	await page.getByLabel('Password').fill(pw);
	await page.getByRole('button', { name: 'Log in' }).click();
	await page.waitForURL(BASE + '/admin/');
}

async function logout(page) {
	await page.getByRole('button', { name: 'Log out' }).first().click();
	await page.waitForURL(/\/admin\/login/);
}

async function main() {
	const ctx = await chromium.launchPersistentContext(process.env.PROFILE, {
		executablePath: '/usr/bin/chromium',
		headless: true,
		args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic',
		    '--no-first-run', '--disable-background-networking',
		    '--disable-component-update', '--disable-sync'],
		viewport: { width: 1200, height: 900 },
	});
	const page = ctx.pages()[0] || await ctx.newPage();
	const csp = [];
	page.on('console', (m) => {
		if (/Content Security Policy|Refused to/.test(m.text()))
			csp.push(m.text());
	});

	/* 1. the login screen */
	await page.goto(BASE + '/admin/');
	check(page.url().startsWith(BASE + '/admin/login'), 'no session: not sent to the login');
	await axe(page, 'login');
	await shot(page, 'login');

	/* 2. an editor creates a page */
	await login(page, 'bob', 'edit-secret-2');
	await axe(page, 'page tree');
	await shot(page, 'pages');
	await page.getByRole('link', { name: 'Add page' }).click();
	await page.waitForURL(BASE + '/admin/pages/new');
	await axe(page, 'new page form');
	await page.getByLabel('Path').fill('news/browser-made');
	await page.getByLabel('Title').fill('Made in a browser');
	await page.getByLabel('Summary').fill('A page an editor made');
	await page.getByLabel('Body (Markdown)').fill('First line\n\nSecond paragraph by bob');
	await page.getByRole('button', { name: 'Save draft' }).click();
	await page.waitForURL(/\/admin\/pages\/\d+$/);
	const editUrl = page.url();
	check(await page.getByText('Page created as a draft.').isVisible(), 'no flash after create');
	check(await page.getByRole('button', { name: 'Publish', exact: true }).count() === 0, 'an editor sees Publish');
	check(await page.getByRole('button', { name: 'Save draft' }).isVisible(), 'no Save draft');
	check(await page.getByRole('link', { name: 'Preview' }).getAttribute('href') ===
	    editUrl.replace('/pages/', '/preview/').replace(BASE, ''), 'Preview link');
	await axe(page, 'editor (editor role)');
	ok('an editor creates a page as a draft and sees no publish buttons');

	/* 2b. Preview: the draft in the site's own layout */
	const [pv] = await Promise.all([ctx.waitForEvent('page'),
	    page.getByRole('link', { name: 'Preview' }).click()]);
	await pv.waitForLoadState();
	check(await pv.getByText('Second paragraph by bob').isVisible(), 'the draft text in the preview');
	check(await pv.locator('link[rel="stylesheet"]').count() > 0 &&
	    await pv.locator('header, nav').count() > 0, 'the preview has the site layout');
	check((await pv.content()).toLowerCase().includes('preview'), 'no preview banner');
	await pv.close();
	ok('Preview shows the draft text in the site layout');

	/* 2c. the media library: upload an image, insert it at the cursor */
	const png = path.join(path.dirname(SITE), 'town-hall.png');
	fs.writeFileSync(png, Buffer.from('iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mP8z8DwHwAFBQIAX8jx0gAAAABJRU5ErkJggg==', 'base64'));
	await page.getByRole('link', { name: 'Media', exact: true }).first().click();
	await page.waitForURL(BASE + '/admin/media');
	await axe(page, 'media library (empty)');
	await page.getByLabel(/Upload a file/).setInputFiles(png);
	await page.getByRole('button', { name: 'Upload', exact: true }).click();
	await page.waitForURL(BASE + '/admin/media');
	check(await page.getByText('Uploaded: the file is in the media library.').isVisible(), 'no upload flash');
	check(await page.getByRole('cell', { name: /town-hall\.png/ }).count() >= 1, 'the file not listed');
	await axe(page, 'media library');
	await shot(page, 'media');
	await page.goto(editUrl);
	const body = page.getByLabel('Body (Markdown)');
	await body.focus();
	await body.evaluate((t) => t.setSelectionRange(t.value.indexOf('Second'), t.value.indexOf('Second')));
	await page.locator('a.media-pick').click();
	await page.getByRole('button', { name: 'Insert ![town-hall.png](/media/town-hall.png)' }).click();
	check((await body.inputValue()).includes('![town-hall.png](/media/town-hall.png)Second'), 'not inserted at the cursor');
	await axe(page, 'editor with the media picker');
	await page.getByRole('button', { name: 'Save draft' }).click();
	await page.waitForURL(editUrl);
	ok('an editor uploads an image and inserts it at the cursor');
	await page.getByRole('button', { name: 'Submit for review' }).click();
	await page.waitForURL(editUrl);
	check(await page.getByText('waiting for a publisher').isVisible(), 'not pending review');

	/* 3. the editor cannot publish: the server refuses (403) */
	const st = await page.evaluate(async () => {
		const f = document.querySelector('form.editor');
		const body = new URLSearchParams(new FormData(f));
		body.set('action', 'publish');
		const to = f.getAttribute('action');
		const r = await fetch(to, { method: 'POST', body, redirect: 'manual' });
		body.delete('csrf');
		body.set('action', 'save');
		const r2 = await fetch(to, { method: 'POST', body, redirect: 'manual' });
		return [r.status, r2.status];
	});
	check(st[0] === 403, 'editor publish: ' + st[0]);
	check(st[1] === 403, 'a POST without the CSRF token: ' + st[1]);
	check(deployed('news/browser-made') === '', 'the draft was deployed');
	ok('the editor is refused Publish (403); a POST without the CSRF token is 403');
	await logout(page);

	/* 4. a publisher publishes; the page is in the deployed target */
	await login(page, 'alice', 'pub-secret-1');
	check(await page.getByRole('heading', { name: 'Waiting for review' }).isVisible(), 'no review queue');
	await axe(page, 'page tree with the review queue');
	await shot(page, 'review-queue');
	await page.getByRole('link', { name: 'Made in a browser' }).first().click();
	await page.waitForURL(editUrl);
	await shot(page, 'editor');
	await axe(page, 'editor (publisher role)');
	await page.getByRole('button', { name: 'Publish', exact: true }).click();
	await page.waitForURL(editUrl);
	check(await page.getByText('Published: the site is being rebuilt.').isVisible(), 'no publish flash');
	await until(() => deployed('news/browser-made').includes('Second paragraph by bob'), 60,
	    'the page in the dir target');
	await page.goto(BASE + '/news/browser-made/');
	check(await page.getByText('Second paragraph by bob').isVisible(), 'the live page in the browser');
	ok('a publisher publishes and the page is in the deployed target');
	const img = (deployed('news/browser-made').match(/src="(\/media\/town-hall\.[0-9a-f]+\.png)"/) || [])[1];
	check(img && fs.existsSync(path.join(SITE, '.kiln', 'www', img)), 'the image in the deployed target');
	check(await page.locator('img[src="' + img + '"]').evaluate((i) => i.complete && i.naturalWidth === 1),
	    'the image does not load in the browser');
	ok('the uploaded image is in the deployed page and loads');

	/* 4b. the public demo site passes the same axe-core checks */
	for (const [u, name] of [['/', 'public home'], ['/news/browser-made/', 'public page'],
	    ['/news/', 'public listing']]) {
		await page.goto(BASE + u);
		await axe(page, name);
	}

	/* 5. revisions: edit, compare, revert */
	await page.goto(editUrl);
	await page.getByLabel('Body (Markdown)').fill('First line\n\nA changed paragraph by alice');
	await page.getByRole('button', { name: 'Save draft' }).click();
	await page.waitForURL(editUrl);
	await page.getByRole('link', { name: 'Revisions' }).click();
	await page.waitForURL(/\/revisions$/);
	await axe(page, 'revisions');
	await shot(page, 'revisions');
	await page.getByRole('button', { name: 'Compare' }).click();
	await page.waitForURL(/\/compare\?/);
	check(await page.locator('.ddel').filter({ hasText: 'Second paragraph by bob' }).count() === 1, 'diff: removed line');
	check(await page.locator('.dadd').filter({ hasText: 'A changed paragraph by alice' }).count() === 1, 'diff: added line');
	await axe(page, 'compare');
	await shot(page, 'compare');
	await page.getByRole('link', { name: 'All revisions' }).click();
	await page.locator('a[href^="/admin/revisions/"]').last().click();
	await page.waitForURL(/\/admin\/revisions\/\d+$/);
	await axe(page, 'one revision');
	await page.getByRole('button', { name: 'Revert to this revision' }).click();
	await page.waitForURL(editUrl);
	check(await page.getByText('Reverted').isVisible(), 'no revert flash');
	check((await page.getByLabel('Body (Markdown)').inputValue()).includes('Second paragraph by bob'),
	    'the reverted body');
	ok('revisions: compare shows the line diff; revert makes a new draft with the old text');

	/* 6. schedule a page and watch it go live */
	await page.goto(BASE + '/admin/pages/new');
	await page.getByLabel('Path').fill('news/scheduled');
	await page.getByLabel('Title').fill('Goes live later');
	await page.getByLabel('Body (Markdown)').fill('Scheduled text');
	const at = new Date(NOW + 3600 * 1000).toISOString().slice(0, 16);
	await page.getByLabel('Go live at').fill(at);
	await page.getByRole('button', { name: 'Schedule' }).click();
	await page.waitForURL(/\/admin\/pages\/\d+$/);
	check(await page.locator('.bar .badge').innerText() === 'scheduled', 'badge not scheduled');
	const schedUrl = page.url();
	/* the scheduler, with the clock two hours on (the clock hook) */
	execFileSync(process.env.KILN, ['scheduled'], { cwd: SITE,
	    env: { ...process.env, KILN_NOW: new Date(NOW + 7200 * 1000).toISOString() } });
	await until(() => deployed('news/scheduled').includes('Scheduled text'), 60, 'the scheduled page live');
	await page.goto(schedUrl);
	check(await page.locator('.bar .badge').innerText() === 'live', 'badge not live');
	ok('a scheduled page goes live when its time comes');

	/* 6b. builds: the dashboard, one build, roll back to the first */
	await page.getByRole('link', { name: 'Builds' }).click();
	await page.waitForURL(BASE + '/admin/builds');
	await axe(page, 'builds');
	await shot(page, 'builds');
	await page.getByRole('link', { name: '#1', exact: true }).click();
	await page.waitForURL(BASE + '/admin/builds/1');
	await axe(page, 'one build');
	check((await page.locator('#build-log').innerText()).includes('succeeded'), 'build log');
	/* the per-target table (decision 0230): a real table with headers */
	{
		const t = page.getByRole('table', { name: 'The result of this build on each target and mirror' });
		check(await t.getByRole('columnheader', { name: 'Result' }).isVisible(), 'targets table header');
		const row = t.getByRole('row', { name: /local/ });
		check((await row.innerText()).includes('deployed'), 'the local target deployed');
		ok('one build: the targets table says local deployed');
	}
	await page.getByRole('link', { name: 'Roll back to this build' }).click();
	await page.waitForURL(BASE + '/admin/builds/1/rollback');
	check(await page.getByText('taken off the live site').isVisible(), 'the confirmation names no change');
	check(await page.getByText('page published').first().isVisible(), 'the confirmation names the later builds');
	check(await page.getByRole('heading', { name: 'Files that change' }).isVisible(), 'the confirmation names no file');
	check(await page.locator('.changes li').filter({ hasText: 'news/browser-made/index.html' }).count() === 1,
	    'the confirmation does not name the page it removes');
	await axe(page, 'rollback confirmation');
	await shot(page, 'rollback');
	await page.getByRole('button', { name: 'Roll back to this build' }).click();
	await page.waitForURL(BASE + '/admin/builds/1');
	check(await page.getByText('Rollback requested').isVisible(), 'no rollback flash');
	await until(async () => {
		await page.goto(BASE + '/admin/builds');
		const row = page.locator('tbody tr').first();
		const t = await row.innerText();
		return t.includes('rollback') && t.includes('succeeded');
	}, 60, 'a succeeded rollback build');
	ok('a publisher rolls back to an earlier build after a confirmation naming what changes');

	await page.getByRole('link', { name: 'Audit log' }).click();
	await page.waitForURL(BASE + '/admin/audit');
	await page.getByLabel('User').fill('bob');
	await page.getByRole('button', { name: 'Filter' }).click();
	await page.waitForURL(/user=bob/);
	check(await page.getByRole('cell', { name: 'admin.login', exact: true }).count() >= 1, 'bob\'s login in the audit log');
	await axe(page, 'audit log');
	await shot(page, 'audit');

	/* 7. the delete confirmation, the logout confirmation, on a phone */
	await page.goto(schedUrl + '/delete');
	await axe(page, 'delete confirmation');
	await page.goto(BASE + '/admin/logout');
	await axe(page, 'logout confirmation');
	await page.setViewportSize({ width: 375, height: 740 });
	await page.goto(editUrl);
	check(await page.evaluate(() => document.documentElement.scrollWidth <= window.innerWidth),
	    'the editor scrolls sideways on a phone');
	check(await page.getByRole('button', { name: 'Publish', exact: true }).isVisible(), 'Publish on a phone');
	await axe(page, 'editor on a phone');
	await shot(page, 'phone-editor');
	await page.goto(BASE + '/admin/');
	check(await page.evaluate(() => document.documentElement.scrollWidth <= window.innerWidth),
	    'the page tree scrolls sideways on a phone');
	await shot(page, 'phone-pages');
	await page.setViewportSize({ width: 1200, height: 900 });
	ok('usable on a phone: no sideways scrolling, Publish visible');

	/* 8. log out: every admin URL leads to the login */
	await logout(page);
	const id = editUrl.split('/').pop();
	for (const u of ['/admin/', '/admin/pages/new', '/admin/pages/' + id,
	    '/admin/pages/' + id + '/revisions', '/admin/pages/' + id + '/delete',
	    '/admin/logout', '/admin/revisions/1']) {
		await page.goto(BASE + u);
		check(page.url().startsWith(BASE + '/admin/login'), u + ' did not lead to the login');
	}
	ok('after logout every admin URL leads to the login');

	check(csp.length === 0, 'CSP violations: ' + csp.join('; '));
	ok('no Content-Security-Policy violation on any screen');
	await ctx.close();
}

main().catch((e) => {
	console.error('FAIL: ' + (e && e.stack ? e.stack : e));
	failed = true;
}).finally(() => process.exit(failed ? 1 : 0));
