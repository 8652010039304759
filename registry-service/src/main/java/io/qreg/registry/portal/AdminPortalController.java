package io.qreg.registry.portal;

import java.time.LocalDate;
import java.time.ZoneOffset;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;

import jakarta.servlet.http.HttpServletResponse;

import io.qreg.registry.job.HardwareTargetService;
import io.qreg.registry.model.ModelService;
import io.qreg.registry.model.ModelView;
import io.qreg.registry.policy.EffectivePolicy;
import io.qreg.registry.policy.LapseAction;
import io.qreg.registry.policy.PolicyService;
import io.qreg.registry.policy.Thresholds;
import io.qreg.registry.security.CurrentUser;
import io.qreg.registry.security.Role;
import io.qreg.registry.security.TokenService;
import io.qreg.registry.security.UserService;
import io.qreg.registry.support.CanonicalJson;
import io.qreg.registry.support.Text;
import io.qreg.registry.web.ApiException;
import io.qreg.registry.web.Pagination;

import org.springframework.data.domain.Page;
import org.springframework.data.domain.PageRequest;
import org.springframework.data.domain.Sort;
import org.springframework.http.HttpStatus;
import org.springframework.stereotype.Controller;
import org.springframework.ui.Model;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestParam;
import org.springframework.web.servlet.ModelAndView;
import org.springframework.web.servlet.mvc.support.RedirectAttributes;

import tools.jackson.databind.node.ObjectNode;

/**
 * The administrator's pages (ADMIN only: the portal security chain guards /admin/**): accounts and
 * roles, API tokens, acceptance policies and hardware targets. Each form calls the feature's service,
 * which validates and audits exactly as the API does; a refusal comes back beside the form.
 */
@Controller
class AdminPortalController {

    /** The policy form's numeric fields, in the order the page shows them, named as the API names them. */
    static final List<String> THRESHOLDS = List.of("maxAccuracyDrop", "maxPerplexityIncreasePct", "minTop1Agreement",
            "maxWorstSliceAccuracyDrop", "maxMeanKld", "maxFlipRate", "minSpeedup", "maxP99LatencyMs", "maxMemoryMb");

    /** A threshold as a person reads it: what it limits and in which unit, with the API's name beside it. */
    public record ThresholdField(String name, String label, String unit) {
    }

    static final List<ThresholdField> THRESHOLD_FIELDS = List.of(
            new ThresholdField("maxAccuracyDrop", "Largest accuracy drop", "fraction, 0.01 = 1 point"),
            new ThresholdField("maxPerplexityIncreasePct", "Largest perplexity increase", "% of the checkpoint's"),
            new ThresholdField("minTop1Agreement", "Smallest top-1 agreement", "fraction of samples"),
            new ThresholdField("maxWorstSliceAccuracyDrop", "Largest accuracy drop on any slice",
                    "fraction, 0.01 = 1 point"),
            new ThresholdField("maxMeanKld", "Largest mean KL divergence (language models)",
                    "nats, from the checkpoint's next-token distribution"),
            new ThresholdField("maxFlipRate", "Largest flip rate (classification)",
                    "fraction of samples whose class changes"),
            new ThresholdField("minSpeedup", "Smallest speed-up", "× the checkpoint's latency"),
            new ThresholdField("maxP99LatencyMs", "Largest p99 latency", "milliseconds"),
            new ThresholdField("maxMemoryMb", "Largest extra memory", "MB"));

    private final UserService users;
    private final TokenService tokens;
    private final ModelService models;
    private final PolicyService policies;
    private final HardwareTargetService targets;

    AdminPortalController(UserService users, TokenService tokens, ModelService models, PolicyService policies,
            HardwareTargetService targets) {
        this.users = users;
        this.tokens = tokens;
        this.models = models;
        this.policies = policies;
        this.targets = targets;
    }

    /** A refused form: the service's detail, and the field it blames. */
    public record Problem(String detail, String field) {

        static Problem of(ApiException e) {
            return new Problem(e.getMessage(), e.field());
        }
    }

    /** The new-user form as typed, to fill it again after a refusal (never the password). */
    public record UserForm(String username, List<String> roles) {
    }

    /** The new-token form as typed. */
    public record TokenForm(String name, String username, String expiresOn) {
    }

    /** A model row of the policies page: where its thresholds come from. */
    public record PolicyRow(String model, String riskTier, String source) {
    }

    /** The hardware-target form as typed. */
    public record TargetForm(String name, String requiredFlags, String labels) {
    }

    // ---------------------------------------------------------------- accounts

    @GetMapping("/admin")
    String accounts(Model view) {
        return accountsPage(new UserForm(null, List.of()), null, view);
    }

    @PostMapping("/admin/users")
    ModelAndView createUser(@RequestParam(required = false) String username,
            @RequestParam(required = false) String password, @RequestParam(required = false) List<String> roles,
            Model view, RedirectAttributes redirect) {
        List<String> chosen = roles == null ? List.of() : roles;
        try {
            var created = users.create(new UserService.NewUser(Text.blankToNull(username),
                    password == null || password.isEmpty() ? null : password, chosen));
            redirect.addFlashAttribute("notice", "Created " + created.username() + " with roles "
                    + created.roles() + ".");
            return new ModelAndView("redirect:/admin");
        } catch (ApiException e) {
            return refusedForm(accountsPage(new UserForm(username, chosen), Problem.of(e), view), view, e);
        }
    }

    private String accountsPage(UserForm form, Problem problem, Model view) {
        view.addAttribute("users", users.list());
        view.addAttribute("roles", Role.values());
        view.addAttribute("tokenOnlyRoles", Role.TOKEN_ONLY);
        view.addAttribute("form", form);
        view.addAttribute("problem", problem);
        return "admin/accounts";
    }

    // ---------------------------------------------------------------- tokens

    @GetMapping("/admin/tokens")
    String tokens(@RequestParam(required = false) String user, Model view) {
        String owner = Text.blankToNull(user) == null ? CurrentUser.username() : user;
        return tokensPage(owner, new TokenForm(null, owner, null), null, view);
    }

    /** The secret is in this response and nowhere else: rendered, not redirected, and never cached. */
    @PostMapping("/admin/tokens")
    ModelAndView createToken(@RequestParam(required = false) String name,
            @RequestParam(required = false) String username, @RequestParam(required = false) String expiresOn,
            Model view, HttpServletResponse response) {
        TokenForm form = new TokenForm(name, username, expiresOn);
        try {
            TokenService.IssuedToken issued = tokens.issue(new TokenService.NewToken(name, Text.blankToNull(username),
                    expiresAt(expiresOn)));
            response.setHeader("Cache-Control", "no-store");
            view.addAttribute("issued", issued);
            return new ModelAndView("admin/token-created", view.asMap());
        } catch (ApiException e) {
            String owner = Text.blankToNull(username) == null ? CurrentUser.username() : username;
            return refusedForm(tokensPage(owner, form, Problem.of(e), view), view, e);
        }
    }

    @PostMapping("/admin/tokens/{id}/revoke")
    ModelAndView revokeToken(@PathVariable String id, RedirectAttributes redirect) {
        UUID tokenId;
        try {
            tokenId = UUID.fromString(id);
        } catch (IllegalArgumentException e) {
            throw ApiException.notFound("token", id);
        }
        TokenService.TokenView revoked = tokens.revoke(tokenId);
        String shown = revoked.prefix() == null ? "" : " (" + revoked.prefix() + "…)";
        redirect.addFlashAttribute("notice", "Revoked token '" + revoked.name() + "'" + shown
                + " of " + revoked.username() + ", and every token created with it; they no longer authenticate.");
        redirect.addAttribute("user", revoked.username());
        return new ModelAndView("redirect:/admin/tokens");
    }

    private String tokensPage(String owner, TokenForm form, Problem problem, Model view) {
        view.addAttribute("owner", owner);
        view.addAttribute("users", users.list());
        List<TokenService.TokenView> list;
        try {
            list = tokens.list(owner);
        } catch (ApiException e) {
            list = List.of();
            if (problem == null) {
                problem = Problem.of(e);
            }
        }
        view.addAttribute("tokens", list);
        view.addAttribute("form", form);
        view.addAttribute("problem", problem);
        return "admin/tokens";
    }

    private static java.time.Instant expiresAt(String date) {
        if (Text.blankToNull(date) == null) {
            return null;
        }
        try {
            return LocalDate.parse(date.strip()).atStartOfDay(ZoneOffset.UTC).toInstant();
        } catch (DateTimeParseException e) {
            throw ApiException.invalid("expiresAt", "the expiry date must look like 2027-12-31, got '" + date + "'");
        }
    }

    // ---------------------------------------------------------------- policies

    @GetMapping("/admin/policies")
    String policies(@RequestParam(required = false) String q, @RequestParam(required = false) Integer page,
            Model view) {
        Page<ModelView> found = models.search(null, null, null, q, Pagination.of(page, 20, Sort.by("name")));
        // One effective-policy read per row of a 20-row page: bounded, and it names the source truthfully.
        view.addAttribute("rows", found.map(m -> new PolicyRow(m.name(), m.riskTier(),
                policies.effectivePolicy(m.name()).source())));
        view.addAttribute("q", q);
        return "admin/policies";
    }

    @GetMapping("/admin/policies/{model}")
    String policy(@PathVariable String model, Model view) {
        return policyPage(model, null, null, view);
    }

    @PostMapping("/admin/policies/{model}")
    ModelAndView setPolicy(@PathVariable String model, @RequestParam Map<String, String> fields,
            @RequestParam(required = false) List<String> hardwareTargets, Model view, RedirectAttributes redirect) {
        try {
            ObjectNode body = policyBody(fields, hardwareTargets);
            // The form has no per-slice thresholds: keep those set through the API rather than clear them.
            Thresholds thresholds = Thresholds.parse(body).withSliceThresholds(
                    policies.effectivePolicy(model).thresholds().sliceThresholds());
            EffectivePolicy saved = policies.set(model, thresholds, LapseAction.of(body));
            redirect.addFlashAttribute("notice", "Saved the policy of " + saved.model() + ".");
            return new ModelAndView("redirect:/admin/policies/" + saved.model());
        } catch (ApiException e) {
            if (e.status() == HttpStatus.NOT_FOUND) {
                throw e;
            }
            Map<String, String> typed = new LinkedHashMap<>(fields);
            return refusedForm(policyPage(model, typed, Problem.of(e), view), view, e);
        }
    }

    @PostMapping("/admin/policies/{model}/clear")
    ModelAndView clearPolicy(@PathVariable String model, RedirectAttributes redirect) {
        EffectivePolicy now = policies.clear(model);
        redirect.addFlashAttribute("notice", "Cleared the own policy of " + now.model() + "; its " + now.riskTier()
                + " risk tier's defaults apply.");
        return new ModelAndView("redirect:/admin/policies/" + now.model());
    }

    private String policyPage(String model, Map<String, String> typed, Problem problem, Model view) {
        EffectivePolicy effective = policies.effectivePolicy(model);
        Map<String, String> values = new LinkedHashMap<>();
        Thresholds t = effective.thresholds();
        List<Double> current = List.of(nullSafe(t.maxAccuracyDrop()), nullSafe(t.maxPerplexityIncreasePct()),
                nullSafe(t.minTop1Agreement()), nullSafe(t.maxWorstSliceAccuracyDrop()), nullSafe(t.maxMeanKld()),
                nullSafe(t.maxFlipRate()), nullSafe(t.minSpeedup()),
                nullSafe(t.maxP99LatencyMs()), nullSafe(t.maxMemoryMb()));
        for (int i = 0; i < THRESHOLDS.size(); i++) {
            String name = THRESHOLDS.get(i);
            values.put(name, typed != null ? typed.getOrDefault(name, "")
                    : Double.isNaN(current.get(i)) ? "" : format(current.get(i)));
        }
        view.addAttribute("policy", effective);
        view.addAttribute("values", values);
        view.addAttribute("fields", THRESHOLD_FIELDS);
        view.addAttribute("selectedTargets", t.hardwareTargets() == null ? List.of() : t.hardwareTargets());
        view.addAttribute("targets", targets.list(PageRequest.of(0, Pagination.MAX_SIZE)).getContent());
        view.addAttribute("problem", problem);
        return "admin/policy";
    }

    /** The form as the JSON body the API takes, so {@link Thresholds#parse} applies the very same rules. */
    private static ObjectNode policyBody(Map<String, String> fields, List<String> hardwareTargets) {
        ObjectNode body = CanonicalJson.mapper().createObjectNode();
        for (String name : THRESHOLDS) {
            String value = Text.blankToNull(fields.get(name));
            if (value == null) {
                continue;
            }
            try {
                body.put(name, Double.parseDouble(value.strip()));
            } catch (NumberFormatException e) {
                throw ApiException.invalid(name, name + " must be a number (or empty: not checked), got '" + value
                        + "'");
            }
        }
        String onLapse = Text.blankToNull(fields.get(LapseAction.FIELD));
        if (onLapse != null) {
            body.put(LapseAction.FIELD, onLapse);
        }
        if (hardwareTargets != null && !hardwareTargets.isEmpty()) {
            var list = body.putArray("hardwareTargets");
            hardwareTargets.forEach(list::add);
        }
        return body;
    }

    // ---------------------------------------------------------------- hardware targets

    @GetMapping("/admin/hardware-targets")
    String hardwareTargets(Model view) {
        return targetsPage(new TargetForm(null, null, null), null, view);
    }

    @PostMapping("/admin/hardware-targets")
    ModelAndView createTarget(@RequestParam(required = false) String name,
            @RequestParam(required = false) String requiredFlags, @RequestParam(required = false) String labels,
            Model view, RedirectAttributes redirect) {
        TargetForm form = new TargetForm(name, requiredFlags, labels);
        try {
            var created = targets.create(new HardwareTargetService.NewTarget(Text.blankToNull(name), words(requiredFlags),
                    labels(labels)));
            redirect.addFlashAttribute("notice", "Created hardware target " + created.name() + ".");
            return new ModelAndView("redirect:/admin/hardware-targets");
        } catch (ApiException e) {
            return refusedForm(targetsPage(form, Problem.of(e), view), view, e);
        }
    }

    private String targetsPage(TargetForm form, Problem problem, Model view) {
        view.addAttribute("targets", targets.list(PageRequest.of(0, Pagination.MAX_SIZE)));
        view.addAttribute("form", form);
        view.addAttribute("problem", problem);
        return "admin/hardware-targets";
    }

    /** Flags as typed: separated by commas or spaces. */
    private static List<String> words(String text) {
        List<String> words = new ArrayList<>();
        if (text != null) {
            for (String w : text.split("[,\\s]+")) {
                if (!w.isBlank()) {
                    words.add(w.strip());
                }
            }
        }
        return words;
    }

    /** Labels as typed: one {@code key=value} per line or comma. */
    private static Map<String, String> labels(String text) {
        Map<String, String> labels = new LinkedHashMap<>();
        if (text != null) {
            for (String pair : text.split("[,\\n]")) {
                if (pair.isBlank()) {
                    continue;
                }
                int eq = pair.indexOf('=');
                if (eq <= 0) {
                    throw ApiException.invalid("labels", "labels are key=value pairs, one per line; got '"
                            + pair.strip() + "'");
                }
                labels.put(pair.substring(0, eq).strip(), pair.substring(eq + 1).strip());
            }
        }
        return labels;
    }

    // ---------------------------------------------------------------- helpers

    /** The form page again, under the refusal's status, so a client (or a test) sees it was refused. */
    private static ModelAndView refusedForm(String viewName, Model view, ApiException e) {
        return new ModelAndView(viewName, view.asMap(), e.status());
    }

    private static double nullSafe(Double d) {
        return d == null ? Double.NaN : d;
    }

    /** 0.02 rather than 0.020000000000000000416. */
    private static String format(double d) {
        return java.math.BigDecimal.valueOf(d).stripTrailingZeros().toPlainString();
    }
}
