/* The phone's validation, applying the schema the server exports from its own forms (shanzhi/field/forms.py):
   required fields, lengths, choices, patterns, the GB 11643 check digit and the phone patterns. The same bad
   input is refused here and on the server (tests/test_validation.py runs both). Works in the browser
   (window.szValidate) and in node (module.exports), for that test. */
(function (root) {
  "use strict";

  function normalise(value, rules) {
    let text = String(value == null ? "" : value).normalize("NFKC");
    text = text.replace(new RegExp(rules.separators, "g"), "");
    return text.toUpperCase();
  }

  function checkChar(body17, gb) {
    let sum = 0;
    for (let i = 0; i < 17; i++) sum += Number(body17[i]) * gb.weights[i];
    return gb.codes[sum % 11];
  }

  function idNumberProblem(raw, rules, today) {
    const gb = rules.gb11643;
    let n = normalise(raw, rules);
    if (!n) return "";
    if (n.length === 15 && /^\d+$/.test(n)) {
      const body = n.slice(0, 6) + "19" + n.slice(6);
      n = body + checkChar(body, gb);
    }
    if (n.length !== 18) return gb.messages.length.replace("{n}", String(n.length));
    if (!/^\d{17}[\dX]$/.test(n)) return gb.messages.digits;
    if (n[17] !== checkChar(n, gb)) return gb.messages.check;
    const y = Number(n.slice(6, 10)), m = Number(n.slice(10, 12)), d = Number(n.slice(12, 14));
    const date = new Date(Date.UTC(y, m - 1, d));
    if (date.getUTCFullYear() !== y || date.getUTCMonth() !== m - 1 || date.getUTCDate() !== d) {
      return gb.messages.date;
    }
    const now = today || new Date();
    if (date.getTime() > Date.UTC(now.getFullYear(), now.getMonth(), now.getDate()) || y < 1880) {
      return gb.messages.future;
    }
    return "";
  }

  function phoneProblem(raw, rules) {
    let n = normalise(raw, rules).replace(/\+/g, "");
    if (!n) return "";
    if (n.startsWith("0086")) n = n.slice(4);
    else if (n.startsWith("86") && n.length === 13) n = n.slice(2);
    const p = rules.phone;
    return new RegExp(p.mobile).test(n) || new RegExp(p.landline).test(n) ? "" : p.message;
  }

  const RULES = { gb11643: idNumberProblem, phone: phoneProblem };

  function fieldProblem(field, value, rules, today) {
    const text = typeof value === "string" ? value.trim() : value;
    const empty = text === undefined || text === null || text === "" || (field.type === "bool" && !text);
    if (empty) return field.required ? field.messages.required : "";
    if (field.type === "bool") return "";
    const s = String(text);
    if (field.max_length && s.length > field.max_length) return field.messages.max_length;
    if (field.type === "int" && !/^-?\d+$/.test(s)) return field.messages.invalid;
    if (field.type === "choice" && field.choices.indexOf(s) < 0) {
      return field.messages.invalid_choice.replace("{value}", s);
    }
    if (field.pattern && !new RegExp(field.pattern).test(s)) return field.messages.invalid;
    if (field.rule && RULES[field.rule]) return RULES[field.rule](s, rules, today);
    return "";
  }

  /* {field name: message} for the values (an object of field name → value); empty when all is well. */
  function validate(schema, values, today) {
    const problems = {};
    for (const field of schema.form.fields) {
      const message = fieldProblem(field, values[field.name], schema.rules, today);
      if (message) problems[field.name] = message;
    }
    return problems;
  }

  const api = { validate: validate, normalise: normalise, idNumberProblem: idNumberProblem, phoneProblem: phoneProblem };
  if (typeof module !== "undefined" && module.exports) module.exports = api;
  else root.szValidate = api;
})(typeof self !== "undefined" ? self : this);
