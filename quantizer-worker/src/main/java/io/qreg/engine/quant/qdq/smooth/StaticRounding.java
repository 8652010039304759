package io.qreg.engine.quant.qdq.smooth;

import java.util.function.Predicate;

/**
 * How the static QDQ pass will round what SmoothQuant changes, which {@code auto} has to simulate to judge an α:
 * whether weights get one int8 scale per output channel or one per tensor (SmoothQuant's migration into the weight
 * costs much more under one scale per tensor), and which activations are already rounded where they are produced
 * (an activation smoothed through an inserted Mul is then rounded once before the division).
 *
 * @param perChannelWeights one weight scale per output channel rather than per tensor
 * @param roundedAtProducer whether the pass quantizes a tensor (by name) at its producer
 */
public record StaticRounding(boolean perChannelWeights, Predicate<String> roundedAtProducer) {

    /** For callers that smooth with a fixed α, where nothing is simulated. */
    public static final StaticRounding NOT_SIMULATED = new StaticRounding(false, tensor -> false);
}
