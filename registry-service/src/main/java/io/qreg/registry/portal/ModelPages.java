package io.qreg.registry.portal;

import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.TreeSet;
import java.util.UUID;
import java.util.function.Function;
import java.util.stream.Collectors;

import io.qreg.registry.checkpoint.CheckpointService;
import io.qreg.registry.checkpoint.CheckpointView;
import io.qreg.registry.dataset.DatasetService;
import io.qreg.registry.job.HardwareTargetService;
import io.qreg.registry.model.ModelService;
import io.qreg.registry.model.ModelView;
import io.qreg.registry.policy.PolicyService;
import io.qreg.registry.policy.Verdict;
import io.qreg.engine.quant.Method;
import io.qreg.registry.recipe.RecipeService;
import io.qreg.registry.recipe.RecipeView;
import io.qreg.registry.support.ByteSizes;
import io.qreg.registry.tag.TagFilter;
import io.qreg.registry.tag.TagSubject;
import io.qreg.registry.tag.Tags;
import io.qreg.registry.variant.VariantService;
import io.qreg.registry.variant.VariantView;
import io.qreg.registry.variant.VariantView.BenchmarkView;
import io.qreg.registry.variant.VariantView.EvaluationView;
import io.qreg.registry.web.ApiException;
import io.qreg.registry.web.Pagination;

import org.springframework.data.domain.Page;
import org.springframework.data.domain.PageRequest;
import org.springframework.data.domain.Sort;
import org.springframework.stereotype.Component;

import lombok.RequiredArgsConstructor;

/**
 * Builds the model pages' view models from the feature services: the variant table and chart, the
 * side-by-side comparison, and the choices of the engineer's forms. Controllers stay thin; this
 * holds the reading and arithmetic, and no SQL.
 */
@Component
@RequiredArgsConstructor
class ModelPages {

    /** The model page lists this many variants, newest first; a model with more says so. */
    static final int MAX_VARIANTS = 200;
    private static final double MIN_RADIUS = 5;
    private static final double MAX_RADIUS = 16;

    private final ModelService models;
    private final CheckpointService checkpoints;
    private final VariantService variants;
    private final PolicyService policies;
    private final RecipeService recipes;
    private final DatasetService datasets;
    private final HardwareTargetService targets;
    private final Tags tags;
    private final ModelListFacts listFacts;

    // ---------------------------------------------------------------- view models

    public record ModelPage(ModelSummary model, List<CheckpointView> checkpoints, VariantTable variants, VariantChart chart,
            List<AlgorithmComparison.Table> algorithms) {
    }

    /** Every variant in one table; {@code targets} are the speed-up columns. */
    public record VariantTable(List<VariantRow> rows, List<String> targets, String qualityLabel, long total) {

        public boolean truncated() {
            return total > rows.size();
        }
    }

    public record VariantRow(UUID id, String shortId, String method, String precisionLabel, String bits, String recipe, String checkpointVersion,
            long sizeBytes, String sizeHuman, String sizeOfCheckpoint, VariantFigures.Quality quality,
            List<SpeedCell> speedups, boolean verdictPassed, String verdictSummary, Instant createdAt,
            String algorithm) {
    }

    /** A variant's speed-up on one target (null when not benchmarked there) and the latency behind it. */
    public record SpeedCell(String target, Double speedup, String display, String latencyP50) {
    }

    /**
     * The quality/speed trade-off chart: one point per variant and hardware target where both were
     * measured. {@code points} are plain maps, listed in the chart's table and embedded in the page as JSON
     * for the script that draws it.
     */
    public record VariantChart(String yLabel, String xLabel, List<String> targets, List<Map<String, Object>> points,
            int unplotted) {

        /** Every plotted variant matches the checkpoint's quality exactly: a y axis would only draw a flat line. */
        public boolean qualityUnchanged() {
            return !points.isEmpty() && points.stream().allMatch(p -> ((Number) p.get("y")).doubleValue() == 0);
        }
    }

    public record Option(String value, String label) {
    }

    /** What the upload and quantize forms offer an engineer. */
    public record JobForm(List<Option> checkpoints, List<Option> recipes, List<Option> methods, List<Option> calibration,
            List<Option> evaluation, List<Option> targets) {
    }

    public record Comparison(ModelSummary model, Side a, Side b, List<Section> sections) {
    }

    public record Side(UUID id, String shortId, String method, String precisionLabel, boolean verdictPassed) {
    }

    public record Section(String title, List<CompareRow> rows) {
    }

    /** One figure of both variants; {@code tone} says whether B is 'better', 'worse' or the 'same' as A. */
    public record CompareRow(String label, String a, String b, String delta, String tone) {
    }

    // ---------------------------------------------------------------- lists

    Page<ModelSummary> search(String q, TagFilter tag, boolean archived, Integer page, Integer size) {
        return summaries(models.search(null, null, null, q, tag, archived, Pagination.of(page, size, Sort.by("name"))));
    }

    /** The model tags in use, offered as choices by the list's tag filter. */
    List<String> modelTagsInUse() {
        return tags.inUse(TagSubject.MODEL, 200);
    }

    List<ModelSummary> recent(int limit) {
        return summaries(models.search(null, null, null, null,
                PageRequest.of(0, limit, Sort.by(Sort.Direction.DESC, "createdAt")))).getContent();
    }

    private Page<ModelSummary> summaries(Page<ModelView> page) {
        List<UUID> ids = page.getContent().stream().map(ModelView::id).toList();
        Map<UUID, Long> counts = checkpoints.countsByModel(ids);
        Map<UUID, Map<String, String>> tagged = tags.of(TagSubject.MODEL, ids);
        Map<UUID, ModelListFacts.Facts> facts = listFacts.of(ids, page.getContent().stream()
                .collect(Collectors.toMap(ModelView::id, ModelView::task)));
        return page.map(m -> summary(m, counts.getOrDefault(m.id(), 0L), tagged.getOrDefault(m.id(), Map.of()),
                facts.getOrDefault(m.id(), ModelListFacts.Facts.NONE)));
    }

    private static ModelSummary summary(ModelView m, long checkpointCount, Map<String, String> tags) {
        return summary(m, checkpointCount, tags, ModelListFacts.Facts.NONE);
    }

    private static ModelSummary summary(ModelView m, long checkpointCount, Map<String, String> tags,
            ModelListFacts.Facts facts) {
        return new ModelSummary(m.name(), m.task(), m.description(), m.owner(), m.riskTier(), m.createdAt(),
                checkpointCount, tags, m.archival().archived(), facts.variantCount(), facts.best(),
                facts.lastActivity());
    }

    // ---------------------------------------------------------------- the model page

    ModelPage modelPage(String name) {
        ModelView model = models.get(name);
        List<CheckpointView> cps = checkpoints.listForModel(name, PageRequest.of(0, Pagination.MAX_SIZE,
                Sort.by(Sort.Direction.DESC, "createdAt"))).getContent();
        List<VariantView> all = variants.fullForModel(name, MAX_VARIANTS);
        long total = all.size() < MAX_VARIANTS ? all.size() : variants.countForModel(name);
        Map<UUID, Verdict> verdicts = policies.verdicts(all);
        Map<UUID, CheckpointView> byId = cps.stream().collect(Collectors.toMap(CheckpointView::id, c -> c));

        List<String> benchmarked = new ArrayList<>(new TreeSet<>(all.stream()
                .flatMap(v -> v.benchmarks().stream().map(BenchmarkView::hardwareTarget)).toList()));
        Map<UUID, String> algorithms = new LinkedHashMap<>();
        all.forEach(v -> {
            String algorithm = AlgorithmComparison.algorithm(v, this::recipeAlgorithm);
            if (algorithm != null) {
                algorithms.put(v.id(), algorithm);
            }
        });
        List<VariantRow> rows = all.stream().map(v -> row(model, v, verdicts.get(v.id()), byId.get(v.checkpointId()),
                benchmarked, AlgorithmComparison.label(v.method(), algorithms.get(v.id())))).toList();
        return new ModelPage(summary(model, cps.size(), Map.of()), cps,
                new VariantTable(rows, benchmarked, VariantFigures.qualityLabel(model.task()), total),
                chart(model, all, rows, benchmarked), AlgorithmComparison.tables(model.task(), all, algorithms, byId));
    }

    /** The algorithm of a recipe version (variants made before lineage recorded it); null if it has none. */
    private String recipeAlgorithm(String name, int version) {
        try {
            return recipes.get(name, version).algorithm();
        } catch (ApiException e) {
            return null;
        }
    }

    private static VariantRow row(ModelView model, VariantView v, Verdict verdict, CheckpointView checkpoint,
            List<String> targetColumns, String algorithm) {
        Map<String, BenchmarkView> latest = VariantFigures.latestPerTarget(v);
        List<SpeedCell> speedups = targetColumns.stream().map(t -> {
            BenchmarkView b = latest.get(t);
            return b == null ? new SpeedCell(t, null, "—", null)
                    : new SpeedCell(t, b.speedup(), Figures.speedupWithInterval(b), Figures.millis(b.latencyP50Ms()));
        }).toList();
        String ofCheckpoint = checkpoint == null || checkpoint.sizeBytes() == 0 ? null
                : String.format(java.util.Locale.ROOT, "%.0f %% of the checkpoint",
                        100.0 * v.sizeBytes() / checkpoint.sizeBytes());
        String summary = verdict == null ? "no verdict" : verdict.passed() ? "every check passed"
                : verdict.failedChecks().stream().map(Verdict.Check::summary).collect(Collectors.joining("; "));
        return new VariantRow(v.id(), Figures.shortId(v.id()), v.method(), v.precisionLabel(), Figures.bitsPerWeight(v),
                VariantFigures.recipe(v), checkpoint == null ? "?" : checkpoint.version(), v.sizeBytes(),
                ByteSizes.human(v.sizeBytes()), ofCheckpoint, VariantFigures.quality(model.task(), v), speedups,
                verdict != null && verdict.passed(), summary, v.createdAt(), algorithm);
    }

    private static VariantChart chart(ModelView model, List<VariantView> all, List<VariantRow> rows,
            List<String> benchmarked) {
        long largest = all.stream().mapToLong(VariantView::sizeBytes).max().orElse(1);
        List<Map<String, Object>> points = new ArrayList<>();
        int unplotted = 0;
        for (VariantRow row : rows) {
            boolean plotted = false;
            for (SpeedCell cell : row.speedups()) {
                if (cell.speedup() == null || row.quality().value() == null) {
                    continue;
                }
                Map<String, Object> p = new LinkedHashMap<>();
                p.put("id", row.id().toString());
                String method = row.algorithm() == null ? row.method() : row.algorithm();
                p.put("label", method + " · " + row.shortId());
                p.put("variant", row.shortId());
                p.put("method", method);
                p.put("target", cell.target());
                p.put("x", round(cell.speedup()));
                p.put("y", round(row.quality().value()));
                // Area, not radius, in proportion to size: the eye compares areas.
                p.put("r", round(MIN_RADIUS + (MAX_RADIUS - MIN_RADIUS) * Math.sqrt((double) row.sizeBytes()
                        / Math.max(1, largest))));
                p.put("quality", row.quality().display());
                p.put("speedup", cell.display());
                p.put("size", row.sizeHuman());
                p.put("passed", row.verdictPassed());
                p.put("url", "/variants/" + row.id());
                points.add(p);
                plotted = true;
            }
            if (!plotted) {
                unplotted++;
            }
        }
        return new VariantChart(VariantFigures.qualityLabel(model.task()), "Speed-up over the checkpoint (×)",
                benchmarked, points, unplotted);
    }

    private static double round(double value) {
        return Math.round(value * 10_000) / 10_000.0;
    }

    // ---------------------------------------------------------------- forms

    JobForm jobForm(List<CheckpointView> cps) {
        List<Option> checkpointOptions = cps.stream().map(c -> new Option(c.id().toString(),
                c.version() + " (" + c.sizeHuman() + ")")).toList();
        List<Option> recipeOptions = recipes.latest(PageRequest.of(0, Pagination.MAX_SIZE)).getContent().stream()
                .map(r -> new Option(r.name() + "@" + r.version(), r.name() + "@" + r.version() + " · " + r.method()))
                .toList();
        List<Option> methods = java.util.Arrays.stream(Method.values())
                .map(m -> new Option(m.wireName(), m.wireName())).toList();
        return new JobForm(checkpointOptions, recipeOptions, methods, datasetOptions("calibration"),
                datasetOptions("evaluation"), targets.list(PageRequest.of(0, Pagination.MAX_SIZE)).getContent()
                        .stream().map(t -> new Option(t.name(), t.name())).toList());
    }

    private List<Option> datasetOptions(String purpose) {
        return datasets.latest(purpose, PageRequest.of(0, Pagination.MAX_SIZE)).getContent().stream()
                .map(d -> new Option(d.name() + "@" + d.version(), d.name() + "@" + d.version() + " · "
                        + d.samples() + " samples" + (d.hasLabels() ? ", labelled" : "")))
                .toList();
    }

    /**
     * The recipe a quantize form names: an existing "name@version", or else a method, for which the
     * recipe "{model}-{method}" with that method's defaults is created (or found: equal content is
     * the same version).
     */
    RecipeView recipeFor(String modelName, String recipe, String method) {
        if (recipe != null) {
            Versioned v = versioned(recipe, "recipe");
            return recipes.get(v.name(), v.version());
        }
        if (method == null) {
            throw ApiException.invalid("recipe", "choose an existing recipe or a quantization method");
        }
        String name = modelName + "-" + method;
        if (name.length() > 63) {
            name = name.substring(0, 63).replaceAll("-+$", "");
        }
        return recipes.save(new io.qreg.registry.recipe.RecipeRequest(name, method, null, null, null, null, null,
                null, null, null, "created from the portal's quantize form")).recipe();
    }

    /** "name@version" as the form's select options send it. */
    public record Versioned(String name, int version) {
    }

    static Versioned versioned(String value, String field) {
        int at = value == null ? -1 : value.lastIndexOf('@');
        if (at <= 0) {
            throw ApiException.invalid(field, field + " must be name@version, got '" + value + "'");
        }
        try {
            return new Versioned(value.substring(0, at), Integer.parseInt(value.substring(at + 1)));
        } catch (NumberFormatException e) {
            throw ApiException.invalid(field, field + " must be name@version, got '" + value + "'");
        }
    }

    // ---------------------------------------------------------------- comparison

    Comparison compare(String modelName, UUID aId, UUID bId) {
        ModelView model = models.get(modelName);
        VariantView a = variants.get(aId);
        VariantView b = variants.get(bId);
        for (VariantView v : List.of(a, b)) {
            if (!v.modelName().equals(model.name())) {
                throw ApiException.notFound("variant of model " + model.name(), v.id());
            }
        }
        Map<UUID, Verdict> verdicts = policies.verdicts(List.of(a, b));
        Verdict va = verdicts.get(a.id());
        Verdict vb = verdicts.get(b.id());
        List<Section> sections = new ArrayList<>();

        List<CompareRow> identity = new ArrayList<>();
        identity.add(same("Method", a.precisionLabel(), b.precisionLabel()));
        // Fewer bits is neither better nor worse in itself: size, quality and speed below say which.
        identity.add(same("Bits per weight", Figures.bitsPerWeight(a), Figures.bitsPerWeight(b)));
        identity.add(same("Recipe", VariantFigures.recipe(a), VariantFigures.recipe(b)));
        identity.add(same("Calibration dataset", VariantFigures.calibration(a), VariantFigures.calibration(b)));
        identity.add(same("Checkpoint", checkpoints.get(a.checkpointId()).version(),
                checkpoints.get(b.checkpointId()).version()));
        identity.add(numeric("Size", (double) a.sizeBytes(), (double) b.sizeBytes(),
                v -> ByteSizes.human(v.longValue()), true));
        identity.add(same("Policy verdict", va.passed() ? "passed" : "failed", vb.passed() ? "passed" : "failed"));
        sections.add(new Section("Artifact", identity));

        Map<String, EvaluationView> evalA = VariantFigures.latestPerDataset(a);
        Map<String, EvaluationView> evalB = VariantFigures.latestPerDataset(b);
        for (String dataset : union(evalA.keySet(), evalB.keySet())) {
            EvaluationView ea = evalA.get(dataset);
            EvaluationView eb = evalB.get(dataset);
            List<CompareRow> rows = new ArrayList<>();
            for (String metric : union(VariantFigures.keys(ea == null ? null : ea.metrics()),
                    VariantFigures.keys(eb == null ? null : eb.metrics()))) {
                rows.add(numeric(metric, ea == null ? null : Figures.number(ea.metrics(), metric),
                        eb == null ? null : Figures.number(eb.metrics(), metric), Figures::number,
                        Figures.lowerIsBetter(metric)));
            }
            for (String metric : union(VariantFigures.keys(ea == null ? null : ea.deltas()),
                    VariantFigures.keys(eb == null ? null : eb.deltas()))) {
                rows.add(numeric(metric + " change vs checkpoint",
                        ea == null ? null : Figures.number(ea.deltas(), metric),
                        eb == null ? null : Figures.number(eb.deltas(), metric), v -> Figures.signed(v, "%.4f"),
                        Figures.lowerIsBetter(metric)));
            }
            sections.add(new Section("Evaluation on " + dataset, rows));
        }

        Map<String, BenchmarkView> benchA = VariantFigures.latestPerTarget(a);
        Map<String, BenchmarkView> benchB = VariantFigures.latestPerTarget(b);
        for (String target : union(benchA.keySet(), benchB.keySet())) {
            BenchmarkView ba = benchA.get(target);
            BenchmarkView bb = benchB.get(target);
            sections.add(new Section("Benchmark on " + target, List.of(
                    numeric("Latency p50", ba == null ? null : ba.latencyP50Ms(), bb == null ? null : bb.latencyP50Ms(),
                            Figures::millis, true),
                    numeric("Latency p99", ba == null ? null : ba.latencyP99Ms(), bb == null ? null : bb.latencyP99Ms(),
                            Figures::millis, true),
                    numeric("Speed-up", ba == null ? null : ba.speedup(), bb == null ? null : bb.speedup(),
                            Figures::speedup, false),
                    new CompareRow("Speed-up, 95% interval", ba == null ? "—" : Figures.speedupWithInterval(ba),
                            bb == null ? "—" : Figures.speedupWithInterval(bb), "—", ""))));
        }
        return new Comparison(summary(model, 0, Map.of()), side(a, va), side(b, vb), sections);
    }

    private static Side side(VariantView v, Verdict verdict) {
        return new Side(v.id(), Figures.shortId(v.id()), v.method(), v.precisionLabel(), verdict.passed());
    }

    private static List<String> union(java.util.Collection<String> a, java.util.Collection<String> b) {
        java.util.LinkedHashSet<String> all = new java.util.LinkedHashSet<>(a);
        all.addAll(b);
        return new ArrayList<>(all);
    }

    private static CompareRow same(String label, String a, String b) {
        return new CompareRow(label, a, b, Objects.equals(a, b) ? "same" : "differs", Objects.equals(a, b) ? "same"
                : "");
    }

    /** B against A: the difference, and whether it is an improvement given which way is better. */
    private static CompareRow numeric(String label, Double a, Double b, Function<Double, String> format,
            boolean lowerIsBetter) {
        String fa = a == null ? "—" : format.apply(a);
        String fb = b == null ? "—" : format.apply(b);
        if (a == null || b == null) {
            return new CompareRow(label, fa, fb, "—", "");
        }
        double diff = b - a;
        double scale = Math.max(Math.abs(a), Math.abs(b));
        if (Math.abs(diff) <= 1e-9 * Math.max(1, scale)) {
            return new CompareRow(label, fa, fb, "same", "same");
        }
        String delta = a != 0 ? Figures.signed(diff / Math.abs(a) * 100, "%.1f") + " %"
                : Figures.signed(diff, "%.4f");
        boolean better = (diff < 0) == lowerIsBetter;
        return new CompareRow(label, fa, fb, delta, better ? "better" : "worse");
    }
}
