package io.qreg.registry.demo;

import io.qreg.engine.quant.Method;

/** A recipe the demo uses: a name of its own, so no one's recipe of the same name gains a version. */
record DemoRecipe(String name, String method, Integer blockSize, String calibrationMethod) {

    DemoRecipe(Method method, Integer blockSize, String calibrationMethod) {
        this("demo-" + method.wireName(), method.wireName(), blockSize, calibrationMethod);
    }
}
