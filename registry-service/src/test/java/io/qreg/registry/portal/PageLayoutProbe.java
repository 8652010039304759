package io.qreg.registry.portal;

import java.util.ArrayList;
import java.util.List;

import com.deque.html.axecore.results.CheckedNode;
import com.deque.html.axecore.results.Results;
import com.deque.html.axecore.results.Rule;
import com.deque.html.axecore.selenium.AxeBuilder;

import org.openqa.selenium.JavascriptExecutor;
import org.openqa.selenium.WebDriver;

/**
 * What a person sees go wrong with a portal page at the browser's current width, each finding one
 * line: the document scrolls sideways (and which elements stick out), a table header or a button
 * cuts its text off, a table does not fit a laptop or, scrolling inside its box on a tablet, loses
 * its first column, an id appears twice, or axe-core finds a WCAG 2 A/AA violation.
 */
final class PageLayoutProbe {

    /** WCAG 2.0 and 2.1, levels A and AA: what the regulated teams QReg serves must show. */
    static final List<String> WCAG_TAGS = List.of("wcag2a", "wcag2aa", "wcag21a", "wcag21aa");

    /**
     * Measured in the page, in CSS pixels. A pixel of slack absorbs sub-pixel rounding. Elements that
     * are visually hidden (Bootstrap's 1x1 px clip) or not rendered are skipped: nobody reads them.
     */
    private static final String LAYOUT_SCRIPT = """
            const findings = [];
            const doc = document.documentElement;
            const name = el => {
              let s = el.tagName.toLowerCase();
              if (el.id) s += '#' + el.id;
              const cls = (el.getAttribute('class') || '').trim().split(/\\s+/).filter(c => c).slice(0, 3);
              if (cls.length) s += '.' + cls.join('.');
              const text = (el.innerText || '').trim().replace(/\\s+/g, ' ').slice(0, 40);
              return text ? s + ' "' + text + '"' : s;
            };
            const shown = el => {
              if (!el.getClientRects().length) return false;
              for (let e = el; e; e = e.parentElement) {
                if (e.classList.contains('visually-hidden')) return false;
              }
              return el.getBoundingClientRect().width >= 2;
            };
            const scrolledInside = el => {
              for (let e = el.parentElement; e && e !== document.body; e = e.parentElement) {
                if (getComputedStyle(e).overflowX !== 'visible') return true;
              }
              return false;
            };
            if (doc.scrollWidth > doc.clientWidth + 1) {
              // The outermost elements whose right edge passes the viewport, not every descendant of each.
              const wide = [];
              for (const el of document.body.querySelectorAll('*')) {
                if (!shown(el) || el.getBoundingClientRect().right <= doc.clientWidth + 1) continue;
                if (scrolledInside(el)) continue;
                if (wide.some(w => w.contains(el))) continue;
                wide.push(el);
              }
              findings.push('the document scrolls sideways (scrollWidth ' + doc.scrollWidth + ' > clientWidth '
                  + doc.clientWidth + '), past the edge: ' + wide.slice(0, 4).map(name).join(', '));
            }
            for (const el of document.querySelectorAll('th, button, a.button, a.btn, .btn')) {
              const style = getComputedStyle(el);
              const cuts = style.textOverflow === 'ellipsis' || style.textOverflow === 'clip';
              if (shown(el) && cuts && el.scrollWidth > el.clientWidth + 1) {
                findings.push('text clipped (' + style.textOverflow + ', ' + el.scrollWidth + ' > ' + el.clientWidth
                    + ' px): ' + name(el));
              }
            }
            // An id names one element: aria-labelledby and links to #fragments break on a repeated one.
            const ids = new Map();
            for (const el of document.querySelectorAll('[id]')) ids.set(el.id, (ids.get(el.id) || 0) + 1);
            for (const [id, count] of ids) {
              if (count > 1) findings.push('id "' + id + '" appears ' + count + ' times');
            }
            // On a laptop every table fits; on a tablet one that scrolls inside its own box keeps its first column.
            const tablesMayScroll = arguments[0];
            for (const box of document.querySelectorAll('main *')) {
              if (!shown(box) || box.scrollWidth <= box.clientWidth + 1) continue;
              const overflow = getComputedStyle(box).overflowX;
              if (overflow !== 'auto' && overflow !== 'scroll') continue;
              const table = box.querySelector('table');
              if (!table) continue;
              if (!tablesMayScroll) {
                findings.push('a table does not fit: it scrolls inside ' + name(box) + ' (' + box.scrollWidth + ' > '
                    + box.clientWidth + ' px)');
                continue;
              }
              for (const row of table.rows) {
                const first = row.cells[0];
                if (first && shown(first) && getComputedStyle(first).position !== 'sticky') {
                  findings.push('a table scrolls inside ' + name(box) + ' but its first column does not stay:'
                      + ' ' + name(first));
                  break;
                }
              }
            }
            return findings;
            """;

    private final WebDriver browser;

    PageLayoutProbe(WebDriver browser) {
        this.browser = browser;
    }

    /**
     * Every finding on the current page at the current width; empty when the page is fine. Where tables may
     * not scroll (a laptop), one that scrolls inside its box is a finding too.
     */
    List<String> findings(boolean tablesMayScroll) {
        List<String> findings = new ArrayList<>();
        @SuppressWarnings("unchecked")
        List<Object> layout = (List<Object>) ((JavascriptExecutor) browser).executeScript(LAYOUT_SCRIPT,
                tablesMayScroll);
        layout.forEach(f -> findings.add(String.valueOf(f)));
        findings.addAll(accessibility());
        return findings;
    }

    private List<String> accessibility() {
        // Legacy mode runs axe.run in the page itself; the newer mode opens a blank window per analysis,
        // which only matters for cross-origin frames, and the portal has no frames. A page takes axe about a second;
        // the generous timeout is for a CI machine busy with the other test fork.
        Results results = new AxeBuilder().withTags(WCAG_TAGS).disableIframeTesting().setLegacyMode(true)
                .setTimeout(180).analyze(browser);
        List<String> findings = new ArrayList<>();
        if (results.isErrored()) {
            findings.add("axe-core could not run: " + results.getErrorMessage());
        }
        for (Rule rule : results.getViolations()) {
            List<String> targets = new ArrayList<>();
            for (CheckedNode node : rule.getNodes()) {
                targets.add(String.valueOf(node.getTarget()));
            }
            findings.add("axe " + rule.getId() + " (" + rule.getImpact() + ", " + rule.getNodes().size() + "): "
                    + rule.getHelp() + " at " + String.join(" ", targets.subList(0, Math.min(4, targets.size()))));
        }
        return findings;
    }
}
