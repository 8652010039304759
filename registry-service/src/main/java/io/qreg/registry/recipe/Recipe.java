package io.qreg.registry.recipe;

import io.qreg.registry.support.CanonicalJson;
import io.qreg.registry.support.RecordedEntity;

import jakarta.persistence.Column;
import jakarta.persistence.Entity;
import jakarta.persistence.Table;

/** One immutable version of a named recipe; editing a recipe means adding version n+1. */
@Entity
@Table(name = "recipe")
public class Recipe extends RecordedEntity {

    private String name;
    private int version;
    private String hash;
    private String method;
    @Column(name = "per_channel")
    private boolean perChannel;
    @Column(name = "is_symmetric")
    private boolean symmetric;
    @Column(name = "block_size")
    private Integer blockSize;
    @Column(name = "calibration_method")
    private String calibrationMethod;
    private Double percentile;
    @Column(name = "exclude_nodes")
    private String excludeNodes;
    @Column(name = "exclude_op_types")
    private String excludeOpTypes;
    @Column(name = "accuracy_budget")
    private Double accuracyBudget;
    private String notes;
    private String algorithm;
    @Column(name = "gptq_damp")
    private Double gptqDamp;
    @Column(name = "act_order")
    private Boolean actOrder;
    @Column(name = "smooth_quant_alpha")
    private String smoothQuantAlpha;
    @Column(name = "target_bits_per_weight")
    private Double targetBitsPerWeight;
    @Column(name = "canonical_json")
    private String canonicalJson;

    protected Recipe() {
    }

    Recipe(String name, int version, RecipeSpec spec, String canonicalJson, String hash, String excludeNodesJson,
            String excludeOpTypesJson, String createdBy) {
        super(createdBy);
        this.name = name;
        this.version = version;
        this.hash = hash;
        this.method = spec.method();
        this.perChannel = spec.perChannel();
        this.symmetric = spec.symmetric();
        this.blockSize = spec.blockSize();
        this.calibrationMethod = spec.calibrationMethod();
        this.percentile = spec.percentile();
        this.excludeNodes = excludeNodesJson;
        this.excludeOpTypes = excludeOpTypesJson;
        this.accuracyBudget = spec.accuracyBudget();
        this.notes = spec.notes();
        this.algorithm = spec.effectiveAlgorithm();
        this.gptqDamp = spec.gptqDamp();
        this.actOrder = spec.actOrder();
        this.smoothQuantAlpha = spec.smoothQuantAlpha() == null ? null : String.valueOf(spec.smoothQuantAlpha());
        this.targetBitsPerWeight = spec.targetBitsPerWeight();
        this.canonicalJson = canonicalJson;
    }

    /** The version as the API shows it: its configuration read back from the canonical JSON it was hashed as. */
    RecipeView view() {
        return view(CanonicalJson.mapper().readValue(canonicalJson, RecipeSpec.class));
    }

    /** The version as the API shows it, with {@code spec}, the configuration its canonical JSON holds. */
    RecipeView view(RecipeSpec spec) {
        return new RecipeView(getId(), name, version, hash, spec.method(), spec.perChannel(), spec.symmetric(),
                spec.blockSize(), spec.calibrationMethod(), spec.percentile(), spec.excludeNodes(),
                spec.excludeOpTypes(), spec.accuracyBudget(), spec.notes(), getCreatedAt(), getCreatedBy(),
                spec.effectiveAlgorithm(), spec.gptqDamp(), spec.actOrder(), spec.smoothQuantAlpha(),
                spec.targetBitsPerWeight());
    }
}
