/** The links a reviewer needs, built from the public base URLs (LAPSE_PUBLIC_URL, LAPSE_CONSOLE_URL). */
export interface Links {
  request: string;
  user: string;
  resource: string;
}

export interface LinkBases {
  publicUrl: string;
  consoleUrl: string;
}

const trim = (u: string) => u.replace(/\/+$/, '');

export function linksFor(
  bases: LinkBases,
  ids: { requestId: string; userId: string; resourceId: string },
): Links {
  const e = encodeURIComponent;
  return {
    request: `${trim(bases.publicUrl)}/access-requests#request-${e(ids.requestId)}`,
    user: `${trim(bases.consoleUrl)}/users/${e(ids.userId)}`,
    resource: `${trim(bases.consoleUrl)}/resources/${e(ids.resourceId)}`,
  };
}
