package io.qreg.registry.variant;

import java.time.Instant;
import java.util.UUID;

import io.qreg.engine.eval.SelectiveRoutingCurve;

/**
 * A variant's newest selective-routing curve and the evaluation it was measured in.
 *
 * @param evaluationId the evaluation row
 * @param dataset      the evaluation dataset as {@code name@version}
 * @param measuredAt   when the evaluation was recorded
 * @param curve        the curve against the variant's checkpoint
 */
public record RoutingCurveEvidence(UUID evaluationId, String dataset, Instant measuredAt, SelectiveRoutingCurve curve) {
}
