// SPDX-License-Identifier: ISC
// theme.cjs: axe-core on the default theme's pages (see theme.sh).
'use strict';
const path = require('path');
const mods = path.join(process.env.KILN_SRC, 'tests', 'node_modules');
const { chromium } = require(path.join(mods, 'playwright-core'));
const axeSource = require(path.join(mods, 'axe-core')).source;

let failed = false;
function ok(msg) { console.log('ok - ' + msg); }
function check(cond, msg) {
	if (!cond)
		throw new Error(msg);
}

async function axe(page, url, name) {
	const resp = await page.goto(url);
	check(resp && resp.status() === 200, name + ': HTTP ' + (resp && resp.status()));
	await page.evaluate(axeSource);
	const bad = (await page.evaluate(async () =>
	    await window.axe.run(document, { resultTypes: ['violations'] }))).violations
	    .filter((v) => v.impact === 'serious' || v.impact === 'critical');
	check(bad.length === 0, name + ': axe: ' + bad.map((v) => v.id + ' (' +
	    v.nodes.map((n) => n.target.join(' ')).join(', ') + ')').join('; '));
	ok(name + ': axe-core finds no serious or critical violation');
}

async function main() {
	const browser = await chromium.launchPersistentContext(process.env.PROFILE, {
	    executablePath: '/usr/bin/chromium', headless: true,
	    args: ['--no-sandbox'] });
	const page = await browser.newPage();
	const B = process.env.BASE, D = process.env.DEMO;
	await axe(page, B + '/', 'home with the menu nav');
	check(await page.locator('header nav li ul a[href="/docs/setup/"]').count() === 1,
	    'the nested menu entry is missing');
	await axe(page, B + '/2026/01/first-light/', 'a page with term links');
	check(await page.locator('a[rel="tag"][href="/tags/astronomy/"]').count() === 1,
	    'the tag link is missing');
	await axe(page, B + '/tags/', 'the tags taxonomy');
	await axe(page, B + '/tags/astronomy/', 'a term page');
	await axe(page, B + '/categories/', 'the categories taxonomy');
	await page.goto(B + '/docs/install/');
	await page.waitForURL(B + '/docs/setup/');
	ok('the alias page redirects to the page');
	await axe(page, D + '/', 'demo home');
	await axe(page, D + '/events/carol-concert-2025/', 'demo page with a tag link');
	await axe(page, D + '/tags/events/', 'demo term page');
	await browser.close();
}

main().catch((e) => {
	console.error('FAIL: ' + (e && e.stack ? e.stack : e));
	failed = true;
}).finally(() => process.exit(failed ? 1 : 0));
