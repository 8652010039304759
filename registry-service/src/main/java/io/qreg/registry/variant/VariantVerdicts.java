package io.qreg.registry.variant;

/**
 * The policy verdict the variant API shows as {@code policyVerdict}. The policy feature provides
 * it; declaring it here keeps variants free of any knowledge of policies.
 */
public interface VariantVerdicts {

    /** The verdict of one variant, serialised as it is returned. */
    Object verdictOf(VariantView variant);
}
