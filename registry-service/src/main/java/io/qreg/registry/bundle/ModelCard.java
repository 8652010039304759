package io.qreg.registry.bundle;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;

import io.qreg.registry.approval.ApprovalStatus;
import io.qreg.registry.approval.ApprovalView;
import io.qreg.registry.job.Reproduction;
import io.qreg.registry.variant.VariantView;

/**
 * {@code MODEL_CARD.md}: the manifest for people. What the variant is, how it was made, its quality against the FP32
 * checkpoint overall and per slice, where it is approved to run, its licence and redistribution terms, and how to
 * check the bundle. Every figure comes from the same {@link BundleManifest} as {@code manifest.json}.
 */
final class ModelCard {

    private ModelCard() {
    }

    static String render(BundleManifest m) {
        VariantView v = m.variant();
        StringBuilder md = new StringBuilder();
        md.append("# ").append(v.modelName()).append(" · ").append(v.precisionLabel()).append("\n\n");
        md.append("Variant `").append(v.id()).append("` of model **").append(v.modelName()).append("** (")
                .append(m.model().task()).append(", risk tier ").append(m.model().riskTier()).append(").\n\n");

        md.append("## What it is\n\n");
        md.append("- A `").append(v.method()).append("` quantization of checkpoint ").append(m.checkpoint().modelName())
                .append("@").append(m.checkpoint().version()).append(" (sha256 `").append(m.checkpoint().sha256())
                .append("`).\n");
        md.append("- Precision: ").append(v.precisionLabel()).append(".\n");
        md.append("- File: `").append(BundleManifest.MODEL_PATH).append("`, ").append(v.sizeBytes())
                .append(" bytes, sha256 `").append(v.sha256()).append("`.\n\n");

        md.append("## How it was made\n\n");
        Map<String, Object> lineage = v.lineage() == null ? Map.of() : v.lineage();
        md.append("- Recipe ").append(m.recipe().name()).append("@").append(m.recipe().version()).append(" (method `")
                .append(m.recipe().method()).append("`").append(m.recipe().algorithm() == null ? ""
                        : ", algorithm `" + m.recipe().algorithm() + "`")
                .append(", content hash `").append(m.recipe().hash()).append("`).\n");
        md.append("- Calibration dataset: ").append(m.calibration() == null ? "none" : m.calibration().name() + "@"
                + m.calibration().version() + " (sha256 `" + m.calibration().sha256() + "`)").append(".\n");
        md.append("- Engine ").append(lineage.getOrDefault("engineVersion", "unknown")).append(", ONNX Runtime ")
                .append(lineage.getOrDefault("onnxRuntimeVersion", "unknown")).append(", on worker `")
                .append(lineage.get("workerId")).append("` by job `").append(lineage.get("jobId")).append("`, ")
                .append(v.createdAt()).append(".\n");
        if (m.reproductions().isEmpty()) {
            md.append("- Not reproduced yet (`POST /api/v1/variants/").append(v.id()).append("/reproduce`).\n");
        }
        for (Reproduction r : m.reproductions()) {
            md.append("- ").append(capitalised(r.summary())).append(" (engine ").append(r.engineVersion())
                    .append(", sha256 `").append(r.sha256()).append("`).\n");
        }
        md.append('\n');

        md.append("## Quality against FP32\n\n");
        if (v.evaluations().isEmpty()) {
            md.append("No evaluation has been recorded.\n\n");
        }
        for (VariantView.EvaluationView e : v.evaluations()) {
            md.append("### ").append(e.dataset().get("name")).append("@").append(e.dataset().get("version"))
                    .append(e.samples() == null ? "" : " (" + e.samples() + " samples)").append("\n\n");
            md.append("| metric | variant | FP32 | change |\n|---|---|---|---|\n");
            for (String metric : keys(e.metrics())) {
                md.append("| ").append(cell(metric)).append(" | ").append(number(get(e.metrics(), metric)))
                        .append(" | ").append(number(get(e.referenceMetrics(), metric))).append(" | ")
                        .append(signed(get(e.deltas(), metric))).append(" |\n");
            }
            md.append('\n');
            slices(md, e.slices());
        }
        Object passed = m.verdict() == null ? null : m.verdict().get("passed");
        md.append("Policy verdict: **").append(Boolean.TRUE.equals(passed) ? "passed" : "failed").append("**")
                .append(failedChecks(m.verdict())).append(".\n\n");
        if (!v.benchmarks().isEmpty()) {
            md.append("| hardware target | p50 ms | p99 ms | speed-up |\n|---|---|---|---|\n");
            for (VariantView.BenchmarkView b : v.benchmarks()) {
                md.append("| ").append(cell(b.hardwareTarget())).append(" | ").append(number(b.latencyP50Ms()))
                        .append(" | ").append(number(b.latencyP99Ms())).append(" | ").append(number(b.speedup()))
                        .append("× |\n");
            }
            md.append('\n');
        }

        md.append("## Where it is approved to run\n\n");
        List<ApprovalView> approved = m.approvals().stream().filter(a -> a.status() == ApprovalStatus.APPROVED)
                .toList();
        if (approved.isEmpty()) {
            md.append("Nowhere yet: no approval of this variant stands.\n");
        }
        for (ApprovalView a : approved) {
            List<String> signers = a.signoffs().stream().map(s -> s.username() + " (" + s.role() + ", "
                    + s.signedAt() + ")").toList();
            md.append("- ").append(a.deployment()).append(" / ").append(a.environment()).append(" / tier ")
                    .append(a.tier()).append(": approved ").append(a.decidedAt()).append(", signed by ")
                    .append(String.join(", ", signers)).append(".\n");
        }
        long other = m.approvals().size() - approved.size();
        if (other > 0) {
            md.append("\n").append(other).append(" other approval request(s) (pending, rejected, expired or lapsed)"
                    + " are listed in `manifest.json`.\n");
        }
        md.append('\n');

        md.append("## Licence and redistribution\n\n");
        md.append("- Licence: ").append(orNotStated(m.checkpoint().license())).append(".\n");
        md.append("- Redistribution: ").append(orNotStated(m.checkpoint().redistribution())).append(".\n");
        if (m.checkpoint().sourceUri() != null) {
            md.append("- Source: ").append(m.checkpoint().sourceUri()).append("\n");
        }
        md.append("\nThe variant is derived from the checkpoint and carries its terms.\n\n");

        md.append("## Checking this bundle\n\n");
        md.append("The manifest's sha256 is the model file's. With `unzip`, `sha256sum` and `jq`:\n\n```sh\n")
                .append(offlineCheck("bundle.zip")).append("\n```\n");
        return md.toString();
    }

    /** The one-liner that checks a bundle offline; prints "verified" only when the digests agree. */
    static String offlineCheck(String zip) {
        return "test \"$(unzip -p " + zip + " " + BundleManifest.MODEL_PATH + " | sha256sum | cut -d' ' -f1)\" = \"$(unzip -p "
                + zip + " " + BundleManifest.MANIFEST_PATH + " | jq -r .model.sha256)\" && echo verified";
    }

    private static void slices(StringBuilder md, Object slices) {
        if (!(slices instanceof Map<?, ?> all) || all.isEmpty()) {
            return;
        }
        List<String> metrics = new ArrayList<>();
        for (Object s : all.values()) {
            for (String k : keys(s instanceof Map<?, ?> sm ? sm.get("metrics") : null)) {
                if (!metrics.contains(k)) {
                    metrics.add(k);
                }
            }
        }
        md.append("Per slice (change against FP32 in brackets):\n\n| slice | samples |");
        metrics.forEach(k -> md.append(' ').append(cell(k)).append(" |"));
        md.append("\n|---|---|").append("---|".repeat(metrics.size())).append('\n');
        for (Map.Entry<?, ?> entry : all.entrySet()) {
            Map<?, ?> slice = entry.getValue() instanceof Map<?, ?> sm ? sm : Map.of();
            md.append("| ").append(cell(String.valueOf(entry.getKey()))).append(" | ")
                    .append(number(get(slice, "samples"))).append(" |");
            for (String k : metrics) {
                md.append(' ').append(number(get(slice.get("metrics"), k))).append(" (")
                        .append(signed(get(slice.get("deltas"), k))).append(") |");
            }
            md.append('\n');
        }
        md.append('\n');
    }

    private static String failedChecks(Map<String, Object> verdict) {
        if (verdict == null || !(verdict.get("checks") instanceof List<?> checks)) {
            return "";
        }
        List<String> failed = new ArrayList<>();
        for (Object c : checks) {
            if (c instanceof Map<?, ?> check && Boolean.FALSE.equals(check.get("passed"))) {
                failed.add(String.valueOf(check.get("name")));
            }
        }
        return failed.isEmpty() ? "" : " (failed: " + String.join(", ", failed) + ")";
    }

    private static List<String> keys(Object map) {
        List<String> keys = new ArrayList<>();
        if (map instanceof Map<?, ?> m) {
            m.forEach((k, value) -> {
                if (value instanceof Number) {
                    keys.add(String.valueOf(k));
                }
            });
        }
        return keys;
    }

    private static Object get(Object map, String key) {
        return map instanceof Map<?, ?> m ? m.get(key) : null;
    }

    private static String number(Object value) {
        if (!(value instanceof Number n)) {
            return "—";
        }
        double d = n.doubleValue();
        return d == Math.rint(d) && Math.abs(d) < 1e15 ? String.valueOf(n.longValue())
                : String.format(Locale.ROOT, "%.4f", d);
    }

    private static String signed(Object value) {
        return value instanceof Number n ? String.format(Locale.ROOT, "%+.4f", n.doubleValue()) : "—";
    }

    /** Table cells are one line without pipes, whatever a name holds. */
    private static String cell(String text) {
        return text == null ? "—" : text.replace("|", "\\|").replace('\n', ' ');
    }

    private static String orNotStated(String value) {
        return value == null || value.isBlank() ? "not stated" : value;
    }

    private static String capitalised(String s) {
        return s.isEmpty() ? s : Character.toUpperCase(s.charAt(0)) + s.substring(1);
    }
}
