// The v1 API with the person's token; an error answer throws an ApiError.
import {state} from "./state.js";

export class ApiError extends Error {
  constructor(status, body) {
    const err = body && body.error;
    super(
        err ?
            err.message + (err.details && err.details.field ? " (" + err.details.field + ")" : "") :
            "HTTP " + status);
    this.status = status;
    this.code = err ? err.code : "";
  }
}

export async function api(method, path, body) {
  const headers = {Authorization: "Bearer " + state.token};
  if (body !== undefined) headers["Content-Type"] = "application/json";
  const res = await fetch(
      path, {method, headers, body: body === undefined ? undefined : JSON.stringify(body)});
  const json = res.status === 204 ? null : await res.json().catch(() => null);
  if (!res.ok) throw new ApiError(res.status, json);
  return json;
}
