package io.qreg.engine.trainedlm;

/** One trained tensor with its gradient and Adam's two moment estimates, all flat float arrays. */
final class Param {

    final String name;
    final long[] shape;
    final float[] value;
    final float[] grad;
    final float[] firstMoment;
    final float[] secondMoment;

    Param(String name, float[] value, long... shape) {
        this.name = name;
        this.shape = shape;
        this.value = value;
        this.grad = new float[value.length];
        this.firstMoment = new float[value.length];
        this.secondMoment = new float[value.length];
    }

    /** One Adam step (β1 0.9, β2 0.999, ε 1e-8) with bias correction for step {@code t} (from 1). */
    void adamStep(double lr, int t) {
        double correction1 = 1 - Math.pow(0.9, t);
        double correction2 = 1 - Math.pow(0.999, t);
        float step = (float) (lr * Math.sqrt(correction2) / correction1);
        for (int i = 0; i < value.length; i++) {
            float g = grad[i];
            firstMoment[i] = 0.9f * firstMoment[i] + 0.1f * g;
            secondMoment[i] = 0.999f * secondMoment[i] + 0.001f * g * g;
            value[i] -= step * firstMoment[i] / ((float) Math.sqrt(secondMoment[i]) + 1e-8f);
            grad[i] = 0;
        }
    }
}
