package io.qreg.registry.approval;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import io.qreg.registry.model.RiskTier;
import io.qreg.engine.quant.Method;
import io.qreg.registry.security.Role;

/**
 * Who must approve a variant: the model's risk tier sets the base (standard: one APPROVER; high:
 * two distinct APPROVERs; regulated: an APPROVER and a RISK_OFFICER), and a variant with weights
 * at 4 bits or fewer adds a RISK_OFFICER on top, since such a variant is the likeliest to fail in
 * ways an aggregate metric hides. Rules add up: a regulated 4-bit variant needs two RISK_OFFICERs.
 * A checkpoint served unquantized has no method ({@code null}), so only its risk tier's rule applies.
 */
final class SignoffRules {

    private SignoffRules() {
    }

    static List<SignoffRequirement> required(RiskTier tier, String method) {
        Map<Role, Integer> counts = new LinkedHashMap<>();
        Map<Role, List<String>> reasons = new LinkedHashMap<>();
        switch (tier) {
            case STANDARD -> add(counts, reasons, Role.APPROVER, 1, "risk tier standard: one APPROVER");
            case HIGH -> add(counts, reasons, Role.APPROVER, 2, "risk tier high: two distinct APPROVERs");
            case REGULATED -> {
                add(counts, reasons, Role.APPROVER, 1, "risk tier regulated: an APPROVER");
                add(counts, reasons, Role.RISK_OFFICER, 1, "risk tier regulated: a RISK_OFFICER");
            }
        }
        int bits = method == null ? 32 : Method.parse(method).bits();
        if (bits <= 4) {
            add(counts, reasons, Role.RISK_OFFICER, 1, method + " stores weights in " + bits
                    + " bits: a RISK_OFFICER");
        }
        List<SignoffRequirement> required = new ArrayList<>();
        counts.forEach((role, count) -> required.add(new SignoffRequirement(role, count, reasons.get(role))));
        return required;
    }

    private static void add(Map<Role, Integer> counts, Map<Role, List<String>> reasons, Role role, int count,
            String reason) {
        counts.merge(role, count, Integer::sum);
        reasons.computeIfAbsent(role, r -> new ArrayList<>()).add(reason);
    }
}
