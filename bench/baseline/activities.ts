// The baseline's activities: the same four calls a payout makes, with no-op bodies.
export async function inquiry(): Promise<void> {}
export async function balance(): Promise<void> {}
export async function trigger(): Promise<void> {}
export async function status(): Promise<void> {}
