package io.qreg.registry.portal;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

import io.qreg.registry.policy.VariantMaker;
import io.qreg.registry.support.BrowserTest;
import io.qreg.registry.support.HttpApi;

import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.openqa.selenium.By;
import org.openqa.selenium.Dimension;
import org.openqa.selenium.JavascriptExecutor;
import org.openqa.selenium.WebElement;

import tools.jackson.databind.JsonNode;

/**
 * The portal's charts as a person sees them in a real Chromium, measured with the browser's own text layout: the
 * quality/speed-up chart's names never overlap (collide-and-hide), its legend is a captioned box apart from the
 * axes, every point is also in a table, and a model whose variants all match the checkpoint's quality is told so in
 * words instead of a flat line; the lineage graph's long names are whole and inside their nodes; the sensitivity
 * chart's legend explains "kept in float" and its axis titles lie inside the drawing at laptop and tablet widths.
 */
class ChartsBrowserIT extends BrowserTest {

    private static final String PASSWORD = "charts-viewer-password";
    private static final Duration DRAWN = Duration.ofSeconds(15);

    private String crowded;
    private String unchanged;
    private String longNamed;
    private String longNamedVariant;

    @BeforeAll
    void modelsWithCrowdedUnchangedAndLongNamedVariants() {
        HttpApi engineer = userWith("ENGINEER");
        VariantMaker maker = new VariantMaker(admin(), userWith("WORKER"), jdbc);
        String laptop = maker.hardwareTarget("laptop");
        String server = maker.hardwareTarget("server");

        // Near-identical quality and speed-up, as the demo data has: their names cannot all be written.
        crowded = maker.model(engineer, "classification", "standard");
        // Ten points within 0.03× and 0.01 pp of each other: more than the free spots around them can name.
        measured(maker, engineer, crowded, "int8-dynamic", 0.95, Map.of(laptop, 2.00, server, 2.00));
        measured(maker, engineer, crowded, "int8-dynamic", 0.95, Map.of(laptop, 2.00, server, 2.01));
        measured(maker, engineer, crowded, "int4-weight", 0.95, Map.of(laptop, 2.01, server, 2.00));
        measured(maker, engineer, crowded, "int8-dynamic", 0.95, Map.of(laptop, 2.02, server, 2.02));
        measured(maker, engineer, crowded, "int8-dynamic", 0.9499, Map.of(laptop, 1.99, server, 2.00));
        measured(maker, engineer, crowded, "fp16", 0.944, Map.of(laptop, 1.20));

        unchanged = maker.model(engineer, "classification", "standard");
        measured(maker, engineer, unchanged, "int8-dynamic", 0.95, Map.of(laptop, 2.5));
        measured(maker, engineer, unchanged, "fp16", 0.95, Map.of(laptop, 1.5));

        longNamed = maker.model(engineer, "classification", "standard", "-intent-classifier-multilingual");
        longNamedVariant = maker.quantize(engineer, longNamed, "int8-dynamic", Map.of("quantized", 2, "kept", 1,
                "bytesBefore", 120_000, "bytesAfter", 50_000, "layers", List.of(
                        layer("fc1", "QUANTIZED", 31.5), layer("fc2", "KEPT_FLOAT", 12.0),
                        layer("fc3", "QUANTIZED", 40.25))));
    }

    private static void measured(VariantMaker maker, HttpApi engineer, String model, String method, double accuracy,
            Map<String, Double> speedups) {
        String variant = maker.quantize(engineer, model, method);
        maker.evaluate(engineer, variant, VariantMaker.classification(accuracy, 0.95, 0.99));
        speedups.forEach((target, speedup) -> maker.benchmark(engineer, variant, target, speedup, 1.0, 1_000_000));
    }

    private static Map<String, Object> layer(String node, String status, double sqnrDb) {
        Map<String, Object> layer = new LinkedHashMap<>();
        layer.put("node", node);
        layer.put("opType", "MatMul");
        layer.put("status", status);
        layer.put("detail", status.equals("QUANTIZED") ? "per-tensor int8" : "kept for accuracy");
        layer.put("weightBytesBefore", 40_000);
        layer.put("weightBytesAfter", status.equals("QUANTIZED") ? 10_000 : 40_000);
        layer.put("sensitivitySqnrDb", sqnrDb);
        return layer;
    }

    @Test
    void crowdedPointsKeepTheirNamesApartAndEveryPointIsInTheTable() {
        logIn(person(PASSWORD, "VIEWER"), PASSWORD);
        browser.get(url("/models/" + crowded));
        awaitPoints(11);

        for (int width : new int[] {1280, 768}) {
            atWidth(width, () -> {
                Map<?, ?> labels = (Map<?, ?>) js(LABEL_CLASHES);
                assertThat(labels.get("clashes")).as("labels overlapping at " + width + " px").isEqualTo("");
                assertThat(labels.get("outside")).as("labels outside the drawing at " + width + " px").isEqualTo("");
                assertThat(((Number) labels.get("hidden")).intValue())
                        .as("the crowd at 2.0× and 0 pp cannot all be named at " + width + " px").isPositive();
                assertThat(((Number) labels.get("visible")).intValue()).isPositive();
                assertThat(axisTitlesOutside("variant-chart")).as("at " + width + " px").isEmpty();
            });
        }

        // A hidden name is still the point's <title> (hover) and aria-label (focus).
        List<WebElement> points = browser.findElements(By.cssSelector("#variant-chart a.qreg-vchart-point"));
        for (WebElement point : points) {
            String label = point.findElement(By.cssSelector("text.qreg-vchart-label")).getAttribute("textContent");
            assertThat(point.findElement(By.tagName("title")).getAttribute("textContent")).startsWith(label + " on ");
            assertThat(point.getAttribute("aria-label")).startsWith(label + " on ");
        }

        // The legend: a captioned box above the drawing, so its caption is not read as an axis title.
        WebElement legend = browser.findElement(By.id("variant-chart-legend"));
        assertThat(legend.getText()).startsWith("Hardware target").contains("policy failed");
        assertThat(legend.findElements(By.cssSelector("li"))).hasSize(2);
        assertThat(((Number) js("return document.getElementById('variant-chart').getBoundingClientRect().top"
                + " - document.getElementById('variant-chart-legend').getBoundingClientRect().bottom;"))
                .doubleValue()).isGreaterThanOrEqualTo(0);

        // The quality axis and its zero line, since the variants differ in quality.
        assertThat(browser.findElements(By.cssSelector("#variant-chart .qreg-vchart-zero"))).hasSize(1);
        assertThat(browser.findElements(By.id("variant-chart-unchanged"))).isEmpty();

        assertThat(tablePoints()).isEqualTo(chartPoints()).hasSize(11);
        screenshot("charts-crowded-model", 1280);
    }

    @Test
    void variantsThatAllMatchTheCheckpointAreSaidToInWordsWithNoFlatLine() {
        logIn(person(PASSWORD, "VIEWER"), PASSWORD);
        browser.get(url("/models/" + unchanged));
        awaitPoints(2);

        WebElement sentence = browser.findElement(By.id("variant-chart-unchanged"));
        assertThat(sentence.isDisplayed()).isTrue();
        assertThat(sentence.getText()).contains("Every variant matches the checkpoint's quality", "0 pp",
                "speed-up only");
        assertThat(browser.findElements(By.cssSelector("#variant-chart .qreg-vchart-zero")))
                .as("no flat zero line").isEmpty();
        assertThat(browser.findElements(By.cssSelector("#variant-chart .qreg-vchart-y-title"))).isEmpty();
        assertThat(browser.findElement(By.id("variant-chart")).getAttribute("data-mode")).isEqualTo("speed-up only");
        assertThat(browser.findElement(By.cssSelector("#variant-chart .qreg-vchart-x-title")).getText())
                .startsWith("Speed-up");
        assertThat(tablePoints()).isEqualTo(chartPoints()).hasSize(2);
        assertThat(axisTitlesOutside("variant-chart")).isEmpty();
        screenshot("charts-unchanged-model", 1280);
    }

    @Test
    void theLineageShowsLongNamesWholeInsideTheirNodes() {
        logIn(person(PASSWORD, "VIEWER"), PASSWORD);
        browser.get(url("/variants/" + longNamedVariant));
        String name = longNamed + " 1.0.0";

        Map<?, ?> checkpoint = (Map<?, ?>) js("var wanted = arguments[0];"
                + " var node = Array.from(document.querySelectorAll("
                + "'svg.qreg-lineage g.qreg-lineage-node')).find(function (g) {"
                + "  return g.querySelector('title').textContent.indexOf(wanted) >= 0; });"
                + " var lines = Array.from(node.querySelectorAll('.qreg-lineage-title tspan'));"
                + " return {lines: lines.length, text: lines.map(function (t) { return t.textContent; }).join('')};",
                name);
        assertThat(((Number) checkpoint.get("lines")).intValue()).as("wrapped, not cut").isBetween(2, 3);
        assertThat(((String) checkpoint.get("text")).replace(" ", "")).isEqualTo(name.replace(" ", ""));

        Object overflowing = js("var out = [];"
                + " document.querySelectorAll('svg.qreg-lineage g.qreg-lineage-node').forEach(function (g) {"
                + "   var box = g.querySelector('rect').getBBox();"
                + "   g.querySelectorAll('text').forEach(function (t) {"
                + "     var b = t.getBBox();"
                + "     if (b.width > 0 && (b.x < box.x || b.y < box.y || b.x + b.width > box.x + box.width + 0.5"
                + "         || b.y + b.height > box.y + box.height + 0.5)) { out.push(t.textContent); } }); });"
                + " return out.join(' | ');");
        assertThat(overflowing).as("text running out of its node").isEqualTo("");
        screenshot("charts-variant-page", 1280);
    }

    @Test
    void theSensitivityChartExplainsKeptInFloatAndKeepsItsAxisTitlesInside() {
        logIn(person(PASSWORD, "VIEWER"), PASSWORD);
        browser.get(url("/variants/" + longNamedVariant));
        waitUntil(DRAWN, () -> ((Number) js(
                "return document.querySelectorAll('#sensitivity-chart .qreg-schart-bar').length;")).intValue() == 3);

        WebElement legend = browser.findElement(By.id("sensitivity-chart-legend"));
        assertThat(legend.getText()).contains("quantized", "kept in float");
        // The legend's grey is the grey of the bar of the layer kept in float.
        Object legendGrey = js("var s = document.querySelector('#sensitivity-chart-legend .qreg-schart-kept');"
                + " return getComputedStyle(s).backgroundColor;");
        Object barGrey = js("var r = document.querySelector('#sensitivity-chart .qreg-schart-kept rect');"
                + " return getComputedStyle(r).fill;");
        assertThat(barGrey).isEqualTo(legendGrey);
        assertThat(browser.findElement(By.cssSelector("#sensitivity-chart .qreg-schart-kept title"))
                .getAttribute("textContent")).startsWith("fc2").contains("kept in float");

        for (int width : new int[] {1280, 768}) {
            atWidth(width, () -> {
                assertThat(axisTitlesOutside("sensitivity-chart")).as("at " + width + " px").isEmpty();
                assertThat(browser.findElements(By.cssSelector("#sensitivity-chart .qreg-vchart-axis-title")))
                        .hasSize(2);
            });
        }
    }

    // ---------------------------------------------------------------- measuring in the page

    /** Visible point names: pairs whose boxes intersect, names outside the drawing, and how many were hidden. */
    private static final String LABEL_CLASHES = "var svg = document.getElementById('variant-chart');"
            + " var frame = svg.getBoundingClientRect();"
            + " var all = Array.from(svg.querySelectorAll('text.qreg-vchart-label'));"
            + " var shown = all.filter(function (t) { return getComputedStyle(t).display !== 'none'; });"
            + " var boxes = shown.map(function (t) { return t.getBoundingClientRect(); });"
            + " var clashes = [], outside = [];"
            + " for (var i = 0; i < boxes.length; i++) {"
            + "   var a = boxes[i];"
            + "   if (a.left < frame.left - 0.5 || a.right > frame.right + 0.5 || a.top < frame.top - 0.5"
            + "       || a.bottom > frame.bottom + 0.5) { outside.push(shown[i].textContent); }"
            + "   for (var j = i + 1; j < boxes.length; j++) {"
            + "     var b = boxes[j];"
            + "     if (a.left < b.right && b.left < a.right && a.top < b.bottom && b.top < a.bottom) {"
            + "       clashes.push(shown[i].textContent + ' / ' + shown[j].textContent); } } }"
            + " return {visible: shown.length, hidden: all.length - shown.length, clashes: clashes.join(' | '),"
            + "   outside: outside.join(' | ')};";

    /** The chart's axis titles whose box (rotation included) is not inside the SVG's. */
    private String axisTitlesOutside(String chartId) {
        return (String) js("var svg = document.getElementById(arguments[0]);"
                + " var frame = svg.getBoundingClientRect();"
                + " return Array.from(svg.querySelectorAll('.qreg-vchart-axis-title')).filter(function (t) {"
                + "   var b = t.getBoundingClientRect();"
                + "   return b.width === 0 || b.left < frame.left - 0.5 || b.right > frame.right + 0.5"
                + "     || b.top < frame.top - 0.5 || b.bottom > frame.bottom + 0.5;"
                + " }).map(function (t) { return t.textContent; }).join(' | ');", chartId);
    }

    /** Each of the chart's points as "variant id @ target", from the JSON the chart is drawn from. */
    private Set<String> chartPoints() {
        JsonNode data = HttpApi.JSON.readTree((String) js(
                "return document.getElementById('variant-chart-data').textContent;"));
        Set<String> points = new HashSet<>();
        data.get("points").forEach(p -> points.add(p.get("id").asString() + " @ " + p.get("target").asString()));
        return points;
    }

    /** Each row of the table beside the chart as "variant id @ target". */
    private Set<String> tablePoints() {
        List<String> rows = new ArrayList<>();
        for (WebElement row : browser.findElements(By.cssSelector("#variant-chart-table tbody tr"))) {
            rows.add(row.getAttribute("data-variant") + " @ "
                    + row.findElement(By.cssSelector(".qreg-target")).getText());
        }
        assertThat(rows).doesNotHaveDuplicates();
        return new HashSet<>(rows);
    }

    private void awaitPoints(int count) {
        waitUntil(DRAWN, () -> ((Number) js(
                "return document.querySelectorAll('#variant-chart a.qreg-vchart-point').length;")).intValue() == count);
    }

    /** Runs the checks with the window at this width, once the charts have been redrawn for it. */
    private void atWidth(int width, Runnable checks) {
        Dimension before = browser.manage().window().getSize();
        browser.manage().window().setSize(new Dimension(width, before.getHeight()));
        try {
            waitUntil(DRAWN, () -> Boolean.TRUE.equals(js("return Array.from(document.querySelectorAll("
                    + "'svg.qreg-vchart, svg.qreg-schart')).every(function (svg) {"
                    + " return Math.abs(svg.parentNode.clientWidth - Math.max(280, svg.viewBox.baseVal.width)) < 1"
                    + "   || svg.parentNode.clientWidth < 280; });")));
            checks.run();
        } finally {
            browser.manage().window().setSize(before);
        }
    }

    private Object js(String script, Object... arguments) {
        return ((JavascriptExecutor) browser).executeScript(script, arguments);
    }
}
