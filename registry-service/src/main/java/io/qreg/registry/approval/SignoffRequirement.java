package io.qreg.registry.approval;

import java.util.List;

import io.qreg.registry.security.Role;

/** How many distinct people holding a role must approve, and the rules that demand them. */
public record SignoffRequirement(Role role, int count, List<String> reasons) {

    public SignoffRequirement {
        reasons = List.copyOf(reasons);
    }
}
