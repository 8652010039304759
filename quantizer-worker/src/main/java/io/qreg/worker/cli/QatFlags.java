package io.qreg.worker.cli;

import io.qreg.engine.quant.Method;
import io.qreg.engine.quant.PostTrainingOption;

/** The quantize flags qat refuses: every post-training option, named as the user typed it. */
final class QatFlags {

    private QatFlags() {
    }

    /** @throws UsageException naming the first post-training flag given with {@code --method qat} */
    static void refuseInapplicable(Method method, Args args) {
        if (method != Method.QAT) {
            return;
        }
        for (PostTrainingOption option : PostTrainingOption.values()) {
            for (String flag : option.flags()) {
                if (args.flag(flag) || !args.values(flag).isEmpty()) {
                    throw new UsageException(PostTrainingOption.refusal(flag));
                }
            }
        }
    }
}
