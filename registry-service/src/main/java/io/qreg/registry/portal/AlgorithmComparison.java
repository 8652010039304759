package io.qreg.registry.portal;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.UUID;
import java.util.function.BiFunction;

import io.qreg.registry.checkpoint.CheckpointView;
import io.qreg.registry.support.ByteSizes;
import io.qreg.registry.variant.VariantView;
import io.qreg.registry.variant.VariantView.BenchmarkView;
import io.qreg.registry.variant.VariantView.EvaluationView;

/**
 * The weight-only algorithm a variant was made with (rtn, gptq, awq, hqq), labelled for people ("int4 · GPTQ"), and
 * the side-by-side table of one checkpoint's variants of one method made with different algorithms: quality,
 * KL divergence where measured, size and latency, so RTN and its rivals read in one place.
 */
final class AlgorithmComparison {

    /** The KL divergence of the variant's next-token (or class) distribution from the checkpoint's. */
    static final String KLD_METRIC = "meanKld";

    private AlgorithmComparison() {
    }

    /** One variant in the comparison; figures are display strings, "—" where not measured. */
    public record Row(UUID id, String shortId, String label, String quality, String kld, String size,
            String latency, String latencyTarget) {
    }

    /** One checkpoint version and method with variants of at least two algorithms. */
    public record Table(String checkpointVersion, String method, String qualityLabel, List<Row> rows) {
    }

    /**
     * The algorithm in the variant's lineage (engines since issue 13 record it), else the one of its recipe
     * version ({@code recipeAlgorithm} given name and version; null where unknown or the method has none).
     */
    static String algorithm(VariantView v, BiFunction<String, Integer, String> recipeAlgorithm) {
        Object recipe = v.lineage() == null ? null : v.lineage().get("recipe");
        String recorded = Figures.text(recipe, "algorithm");
        if (recorded != null) {
            return recorded;
        }
        String name = Figures.text(recipe, "name");
        Double version = Figures.number(recipe, "version");
        return name == null || version == null ? null : recipeAlgorithm.apply(name, version.intValue());
    }

    /** "int4 · GPTQ" for an int4-weight variant made with gptq; null without an algorithm. */
    static String label(String method, String algorithm) {
        if (algorithm == null) {
            return null;
        }
        String precision = method.endsWith("-weight") ? method.substring(0, method.length() - "-weight".length())
                : method;
        return precision + " · " + algorithm.toUpperCase(Locale.ROOT);
    }

    /**
     * Per checkpoint and method, the variants' latest figures side by side, best quality first; only groups with
     * at least two algorithms (one variant per algorithm: the newest).
     */
    static List<Table> tables(String task, List<VariantView> variants, Map<UUID, String> algorithms,
            Map<UUID, CheckpointView> checkpoints) {
        Map<String, Map<String, VariantView>> groups = new LinkedHashMap<>();
        for (VariantView v : variants) {
            String algorithm = algorithms.get(v.id());
            if (algorithm == null) {
                continue;
            }
            // Variants come newest first: the first of an algorithm in a group is the one shown.
            groups.computeIfAbsent(v.checkpointId() + "|" + v.method(), k -> new LinkedHashMap<>())
                    .putIfAbsent(algorithm, v);
        }
        boolean lm = "language-model".equals(task);
        String metric = lm ? "perplexity" : "embedding".equals(task) ? "recall10" : "accuracy";
        List<Table> tables = new ArrayList<>();
        for (Map<String, VariantView> group : groups.values()) {
            if (group.size() < 2) {
                continue;
            }
            List<Map.Entry<String, VariantView>> entries = new ArrayList<>(group.entrySet());
            Comparator<Map.Entry<String, VariantView>> byQuality = Comparator.comparing(
                    e -> qualityValue(e.getValue(), metric), Comparator.nullsLast(Comparator.naturalOrder()));
            entries.sort(lm ? byQuality : byQuality.reversed());
            VariantView first = entries.get(0).getValue();
            CheckpointView cp = checkpoints.get(first.checkpointId());
            List<Row> rows = entries.stream().map(e -> row(e.getValue(), e.getKey(), metric)).toList();
            tables.add(new Table(cp == null ? "?" : cp.version(), first.method(), lm ? "Perplexity"
                    : "embedding".equals(task) ? "Recall@10" : "Accuracy", rows));
        }
        return tables;
    }

    private static Double qualityValue(VariantView v, String metric) {
        EvaluationView e = latest(v);
        return e == null ? null : Figures.number(e.metrics(), metric);
    }

    private static EvaluationView latest(VariantView v) {
        return v.evaluations().isEmpty() ? null : v.evaluations().get(v.evaluations().size() - 1);
    }

    private static Row row(VariantView v, String algorithm, String metric) {
        EvaluationView e = latest(v);
        Double quality = e == null ? null : Figures.number(e.metrics(), metric);
        Double kld = e == null ? null : Figures.number(e.metrics(), KLD_METRIC);
        BenchmarkView measured = v.benchmarks().stream().filter(b -> b.latencyP50Ms() != null)
                .reduce((a, b) -> b).orElse(null);
        String qualityText = quality == null ? "—" : "perplexity".equals(metric)
                ? String.format(Locale.ROOT, "%.3f", quality) : String.format(Locale.ROOT, "%.2f %%", 100 * quality);
        return new Row(v.id(), Figures.shortId(v.id()), label(v.method(), algorithm), qualityText,
                kld == null ? "—" : String.format(Locale.ROOT, "%.4f", kld), ByteSizes.human(v.sizeBytes()),
                measured == null ? "—" : Figures.millis(measured.latencyP50Ms()),
                measured == null ? null : measured.hardwareTarget());
    }
}
