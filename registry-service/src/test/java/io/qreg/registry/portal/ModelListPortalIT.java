package io.qreg.registry.portal;

import static io.qreg.registry.policy.VariantMaker.classification;
import static org.assertj.core.api.Assertions.assertThat;

import java.time.Instant;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import io.qreg.registry.policy.VariantEvidenceTest;

import org.junit.jupiter.api.Test;

/**
 * The model list says, per model, how many variants it has, its best passing variant (smallest quality drop
 * among those whose policy verdict passes, then highest speed-up) and its last activity; the jobs list
 * filters by model together with its other filters. Real jobs through the worker protocol, real verdicts.
 */
class ModelListPortalIT extends VariantEvidenceTest {

    private static final Pattern TIME = Pattern.compile("<time datetime=\"([^\"]+)\"");

    @Test
    void eachModelShowsItsVariantCountBestPassingVariantAndLastActivity() throws Exception {
        String target = maker.hardwareTarget("list");
        String model = maker.model(engineer, "classification", "standard");
        // Better accuracy than the checkpoint but too little top-1 agreement: ranked first, fails its policy.
        String disagreeing = maker.evaluatedVariant(engineer, model, "int8-dynamic", classification(0.97, 0.96, 0.50));
        String halfPoint = maker.evaluatedVariant(engineer, model, "int8-dynamic", classification(0.955, 0.96, 0.99));
        maker.benchmark(engineer, halfPoint, target, 2.5, 3.0, 1_000_000);
        String slower = maker.evaluatedVariant(engineer, model, "int8-dynamic", classification(0.958, 0.96, 0.99));
        maker.benchmark(engineer, slower, target, 1.2, 3.0, 1_000_000);
        String unevaluated = maker.quantize(engineer, model, "int8-dynamic");
        String faster = maker.evaluatedVariant(engineer, model, "int8-dynamic", classification(0.958, 0.96, 0.99));
        Instant beforeLastJob = Instant.now().minusMillis(5);
        maker.benchmark(engineer, faster, target, 1.8, 3.0, 1_000_000);

        String failing = maker.model(engineer, "classification", "standard");
        String tooLossy = maker.evaluatedVariant(engineer, failing, "int8-dynamic", classification(0.80, 0.96, 0.70));
        String empty = maker.model(engineer, "classification", "standard");

        FormSession viewer = FormSession.signedIn(port, FormSession.person(admin(), "VIEWER"));
        var page = viewer.get("/models?q=" + model);
        assertThat(page.statusCode()).isEqualTo(200);
        assertThat(page.body()).contains("Variants", "Best passing variant", "Last activity",
                "smallest quality drop against its checkpoint, then the highest speed-up");
        String row = row(page.body(), model);
        assertThat(row).contains("<td class=\"text-end qreg-variant-count\">5</td>");
        assertThat(row).as("same quality drop (0.2 pp) as 'slower', faster: the best passing variant")
                .contains("href=\"/variants/" + faster + "\"", "Accuracy Δ −0.20 pp", "1.80×")
                .doesNotContain("/variants/" + disagreeing, "/variants/" + halfPoint, "/variants/" + slower,
                        "/variants/" + unevaluated);
        Instant lastActivity = lastActivity(row);
        assertThat(lastActivity).as("the benchmark job run last").isAfterOrEqualTo(beforeLastJob)
                .isBeforeOrEqualTo(Instant.now());

        String failingRow = row(viewer.get("/models?q=" + failing).body(), failing);
        assertThat(failingRow).contains("qreg-variant-count\">1<", "none passes its policy")
                .doesNotContain("/variants/" + tooLossy);
        String emptyRow = row(viewer.get("/models?q=" + empty).body(), empty);
        assertThat(emptyRow).as("its checkpoint upload is its last activity").contains("qreg-variant-count\">0<",
                "no variants").doesNotContain(">created ");
        assertThat(lastActivity(emptyRow)).isEqualTo(jdbc.queryForObject("select max(c.created_at) from checkpoint c"
                + " join model m on m.id = c.model_id where m.name = ?", java.sql.Timestamp.class, empty).toInstant());
        String bare = unique("bare");
        admin().post("/api/v1/models", java.util.Map.of("name", bare, "task", "classification"));
        assertThat(row(viewer.get("/models?q=" + bare).body(), bare)).as("nothing happened since it was registered")
                .contains("no variants", ">created ");
    }

    @Test
    void theJobsListFiltersByModelTogetherWithStatusAndType() throws Exception {
        String first = maker.model(engineer, "classification", "standard");
        String firstVariant = maker.evaluatedVariant(engineer, first, "int8-dynamic",
                classification(0.955, 0.96, 0.99));
        String second = maker.model(engineer, "classification", "standard");
        maker.quantize(engineer, second, "int8-dynamic");
        List<String> firstJobs = jobsOf(first);
        List<String> secondJobs = jobsOf(second);
        assertThat(firstJobs).hasSizeGreaterThanOrEqualTo(2);
        assertThat(secondJobs).isNotEmpty();

        FormSession viewer = FormSession.signedIn(port, FormSession.person(admin(), "VIEWER"));
        var filtered = viewer.get("/jobs?model=" + first + "&size=100");
        assertThat(filtered.statusCode()).isEqualTo(200);
        assertThat(filtered.body()).contains("<label for=\"job-model\"",
                        "Showing 1–" + firstJobs.size() + " of " + firstJobs.size() + " jobs")
                .containsPattern("<option value=\"" + first + "\"\\s+selected(=\"selected\")?>" + first + "</option>");
        firstJobs.forEach(id -> assertThat(filtered.body()).contains("/jobs/" + id + "\""));
        secondJobs.forEach(id -> assertThat(filtered.body()).doesNotContain("/jobs/" + id + "\""));

        var evaluations = viewer.get("/jobs?model=" + first + "&type=EVALUATE&status=SUCCEEDED");
        assertThat(evaluations.body()).contains("Showing 1–1 of 1 jobs", "EVALUATE");
        assertThat(viewer.get("/jobs?model=" + second + "&type=EVALUATE").body()).contains("No jobs match")
                .doesNotContain("/jobs/" + secondJobs.get(0) + "\"");
        assertThat(viewer.get("/jobs?model=no-such-model-" + first).body()).contains("No jobs match");
    }

    private List<String> jobsOf(String model) {
        return jdbc.queryForList("select j.id::text from job j join checkpoint c on c.id = j.checkpoint_id"
                + " join model m on m.id = c.model_id where m.name = ? order by j.created_at", String.class, model);
    }

    /** The table row of one model, from its name's link to the row's end. */
    private static String row(String html, String model) {
        int at = html.indexOf("href=\"/models/" + model + "\"");
        assertThat(at).as("the list shows " + model).isPositive();
        return html.substring(at, html.indexOf("</tr>", at));
    }

    private static Instant lastActivity(String row) {
        Matcher m = TIME.matcher(row);
        assertThat(m.find()).as(row).isTrue();
        return Instant.parse(m.group(1));
    }
}
