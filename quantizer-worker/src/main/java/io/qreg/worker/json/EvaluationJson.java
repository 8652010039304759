package io.qreg.worker.json;

import io.qreg.engine.eval.EvaluationResult;
import io.qreg.engine.eval.ModelSession;
import io.qreg.engine.eval.SelectiveRoutingCurve;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * An evaluation as JSON: what {@code evaluate --json} prints and what the worker reports to the registry, one map
 * for both so the CLI and the fleet can never describe the same evaluation differently.
 */
public final class EvaluationJson {

    private EvaluationJson() {
    }

    /** The JSON object of {@code evaluate --json}, which the worker daemon reports too. */
    public static Map<String, Object> of(EvaluationResult result) {
        Map<String, Object> json = new LinkedHashMap<>();
        json.put("command", "evaluate");
        json.put("task", result.task().cliName());
        json.put("model", result.model());
        json.put("reference", result.reference());
        json.put("output", result.outputName());
        json.put("samples", result.samples());
        json.put("positions", result.positions());
        json.put("metrics", result.metrics());
        json.put("referenceMetrics", result.referenceMetrics());
        json.put("deltas", result.deltas());
        Map<String, Object> slices = new LinkedHashMap<>();
        result.slices().forEach((id, slice) -> {
            Map<String, Object> s = new LinkedHashMap<>();
            s.put("samples", slice.samples());
            s.put("metrics", slice.metrics());
            s.put("deltas", slice.deltas());
            slices.put(String.valueOf(id), s);
        });
        json.put("slices", slices);
        if (!result.flipsByClass().isEmpty()) {
            Map<String, Object> classes = new LinkedHashMap<>();
            result.flipsByClass().forEach((id, c) -> {
                Map<String, Object> figures = new LinkedHashMap<>();
                figures.put("samples", c.samples());
                figures.put("flips", c.flips());
                figures.put("flipRate", c.flipRate());
                classes.put(String.valueOf(id), figures);
            });
            json.put("flipRateByClass", classes);
        }
        if (result.selectiveRouting() != null) {
            json.put("selectiveRouting", selectiveRouting(result.selectiveRouting()));
        }
        json.put("onnxRuntimeVersion", ModelSession.runtimeVersion());
        return json;
    }

    /** The curve as the registry stores it with the evaluation (docs/routing.md, "Fallback threshold"). */
    private static Map<String, Object> selectiveRouting(SelectiveRoutingCurve curve) {
        Map<String, Object> json = new LinkedHashMap<>();
        json.put("confidence", curve.confidence());
        json.put("positions", curve.positions());
        json.put("disagreements", curve.disagreements());
        List<Map<String, Object>> points = new ArrayList<>();
        for (SelectiveRoutingCurve.Point p : curve.points()) {
            Map<String, Object> point = new LinkedHashMap<>();
            point.put("threshold", p.threshold());
            point.put("traffic", p.traffic());
            point.put("recovery", p.recovery());
            points.add(point);
        }
        json.put("points", points);
        return json;
    }
}
